/*
 * glibc's malloc_trim(0) for Node: gives the free pages of every malloc arena back to the kernel, including
 * those between live chunks (glibc otherwise returns memory only from the top of a heap). Elsewhere (musl,
 * macOS) `trim()` returns null and does nothing.
 */
#include <stdlib.h> /* defines __GLIBC__ on glibc */
#include <node_api.h>

#ifdef __GLIBC__
#include <malloc.h>
#define HAVE_MALLOC_TRIM 1
#else
#define HAVE_MALLOC_TRIM 0
#endif

/* trim(): true if memory was returned, false if there was none to return, null without glibc. */
static napi_value trim(napi_env env, napi_callback_info info) {
  napi_value result;
  (void)info;
#if HAVE_MALLOC_TRIM
  napi_get_boolean(env, malloc_trim(0) != 0, &result);
#else
  napi_get_null(env, &result);
#endif
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_value supported;
  if (napi_create_function(env, "trim", NAPI_AUTO_LENGTH, trim, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "trim", fn) != napi_ok) return NULL;
  napi_get_boolean(env, HAVE_MALLOC_TRIM, &supported);
  napi_set_named_property(env, exports, "supported", supported);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

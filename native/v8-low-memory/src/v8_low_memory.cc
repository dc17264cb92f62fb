/*
 * V8's Isolate::LowMemoryNotification() for Node: full garbage collections in V8's memory-reducing mode (old
 * space compacted, new space shrunk to its initial size, the pages freed given back to the kernel at once),
 * which neither `global.gc()` nor any other JavaScript API can ask for. C++ because it is V8's API, not
 * Node-API's; the function is exported through Node-API so that the module loads in every Node version the
 * headers were built for. Where V8 is not the engine (no isolate on this thread), lowMemory() returns false
 * and does nothing.
 */
#include <node_api.h>
#include <v8.h>

/* lowMemory(): true once V8 ran its memory-reducing collections, false where there is no V8 isolate. */
static napi_value LowMemory(napi_env env, napi_callback_info info) {
  (void)info;
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  if (isolate != nullptr) isolate->LowMemoryNotification();
  napi_value result;
  napi_get_boolean(env, isolate != nullptr, &result);
  return result;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "lowMemory", NAPI_AUTO_LENGTH, LowMemory, nullptr, &fn) != napi_ok) return nullptr;
  if (napi_set_named_property(env, exports, "lowMemory", fn) != napi_ok) return nullptr;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)

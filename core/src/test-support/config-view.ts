import assert from 'node:assert/strict';
import { ConfigBeanView } from '../config/config-bean-view';
import type { ConfigBean } from '../config/model';

/** The typed view of a parsed bean that a test expects to be there. */
export function view(bean: ConfigBean | undefined): ConfigBeanView {
  assert.ok(bean, 'no such bean');
  return new ConfigBeanView(bean);
}

export { AdminUi } from './admin-ui';
export { ADMIN_UI_HOST, type AdminUiHost, type AdminUiLimits, type ComponentCommands, DEFAULT_ADMIN_UI_LIMITS } from './admin-ui-host';

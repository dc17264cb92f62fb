import { type Element, xml } from '@starling/sdk';

export const NS_TIME = 'urn:xmpp:time';

/** XEP-0082 offset of the local time zone at `now`: `+HH:MM` or `-HH:MM` (`+00:00` for UTC). */
export function tzo(now: Date): string {
  const minutes = -now.getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** XEP-0202 §3: `<time><tzo/><utc/></time>`, UTC to the second with a `Z`. */
export function timeElement(now: Date): Element {
  return xml('time', { xmlns: NS_TIME }, xml('tzo', {}, tzo(now)), xml('utc', {}, now.toISOString().replace(/\.\d{3}Z$/, 'Z')));
}

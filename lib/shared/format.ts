// How times are shown: UTC and a fixed format, so the server and the browser render the same text.

/** `2026-12-03 14:05 UTC`, from a Date or an ISO 8601 string. */
export function formatTime(time: Date | string): string {
  const iso = typeof time === 'string' ? time : time.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

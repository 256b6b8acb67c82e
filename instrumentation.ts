// Runs once when the server starts. Node-only code lives in its own module, so the Edge
// build of this file never sees it.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') await import('./lib/startup');
}

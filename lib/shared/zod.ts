// zod, for code that also runs in the browser. By default zod 4 probes `new Function` when a
// schema module loads (to compile faster parsers), which the dashboard's Content-Security-Policy
// (no 'unsafe-eval') reports as a violation; jitless parsing never evals. Safe on the client.
import { z } from 'zod';

z.config({ jitless: true });

export { z };

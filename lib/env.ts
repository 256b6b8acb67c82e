import 'server-only';
import { z } from 'zod';
import { DEFAULT_DATABASE_URL } from './db/url';

// The environment, parsed once. Every variable has a default that works on a fresh machine.
const schema = z.object({
  DATABASE_URL: z.string().min(1).default(DEFAULT_DATABASE_URL),
});

const parsed = schema.safeParse(process.env);
if (!parsed.success) {
  const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
  throw new Error(`Invalid environment:\n${problems}\nFix these variables (see README, "Configuration").`);
}

export const env = parsed.data;

'use client';

import { usePeopleHere } from '@/lib/browser/use-presence';
import { initials } from '@/lib/shared/presence';

/**
 * Who has Roster open now: one circle of initials per person (however many tabs they have), the
 * name on hover and on keyboard focus. Signed-in people only: API tokens are not people.
 */
export function PeopleHere({ me }: { me: number | null }) {
  const people = usePeopleHere();
  if (people.length === 0) return null;
  return (
    <section aria-label="Here now" className="flex items-center gap-2">
      <h2 className="text-xs font-medium tracking-wide text-gray-600 uppercase dark:text-gray-400">Here now</h2>
      <ul className="flex -space-x-1" data-testid="people-here">
        {people.map((person) => {
          const label = person.id === me ? `${person.name} (you)` : person.name;
          return (
            <li key={person.id} className="group relative">
              <span
                tabIndex={0}
                role="img"
                aria-label={label}
                className="flex size-8 items-center justify-center rounded-full border-2 border-white bg-indigo-600 text-xs font-semibold text-white focus-visible:outline-2 focus-visible:outline-blue-700 dark:border-gray-900 dark:bg-indigo-500"
              >
                {initials(person.name)}
              </span>
              <span
                aria-hidden
                className="pointer-events-none absolute top-full left-1/2 z-10 mt-1 hidden -translate-x-1/2 rounded bg-gray-900 px-2 py-1 text-xs whitespace-nowrap text-white group-focus-within:block group-hover:block dark:bg-gray-100 dark:text-gray-900"
              >
                {label}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

import { signOut, signOutEverywhere } from '@/app/login/actions';

const BUTTON =
  'rounded-md border border-gray-300 bg-white px-3 py-1.5 text-sm font-medium text-gray-700 shadow-sm hover:bg-gray-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 dark:border-gray-600 dark:bg-gray-800 dark:text-gray-100 dark:hover:bg-gray-700';

/** Sign out (this browser), and sign out everywhere (every session of yours, e.g. after a cookie leaked). */
export function SignOutButton() {
  return (
    <div className="flex flex-wrap justify-end gap-2">
      <form action={signOutEverywhere}>
        <button type="submit" className={BUTTON} title="Ends every session of yours, in every browser">
          Sign out everywhere
        </button>
      </form>
      <form action={signOut}>
        <button type="submit" className={BUTTON}>
          Sign out
        </button>
      </form>
    </div>
  );
}

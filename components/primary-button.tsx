import { Spinner } from '@/components/spinner';

/** The main submit button of a form: disabled with a spinner while its action runs. */
export function PrimaryButton({ pending, className = '', children }: { pending: boolean; className?: string; children: React.ReactNode }) {
  return (
    <button
      type="submit"
      disabled={pending}
      className={`inline-flex items-center justify-center gap-2 rounded-md bg-blue-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-blue-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 disabled:cursor-not-allowed disabled:opacity-60 ${className}`}
    >
      {pending && <Spinner />}
      {children}
    </button>
  );
}

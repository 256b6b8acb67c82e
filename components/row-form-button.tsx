/**
 * A table row's one action as a form of its own (it works without JavaScript): a hidden field
 * naming the row, and a red button whose label says which row it acts on.
 */
export function RowFormButton({ action, field, value, label, children }: { action: (formData: FormData) => Promise<void>; field: string; value: string; label: string; children: React.ReactNode }) {
  return (
    <form action={action}>
      <input type="hidden" name={field} value={value} />
      <button
        type="submit"
        aria-label={label}
        className="rounded-md px-2 py-1 text-sm font-medium text-red-700 hover:bg-red-50 focus-visible:outline-2 focus-visible:outline-blue-700 dark:text-red-400 dark:hover:bg-red-950"
      >
        {children}
      </button>
    </form>
  );
}

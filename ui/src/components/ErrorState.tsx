// An API error with what failed and a retry button.
export function ErrorState({ error, what, onRetry }: { error: string; what?: string; onRetry?: () => void }) {
  return (
    <div className="error-state" role="alert" data-testid="error-state">
      <span className="error-text">
        {what ? `Could not load ${what}: ` : ""}
        {error}
      </span>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

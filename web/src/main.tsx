/**
 * The dashboard: sign in with an API key, then the campaigns page or a campaign's page.
 * Everything it shows comes from the public API (api.ts); `GET /workspace` names the
 * workspace, its reporting zone and what the key may read.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { apiGet, session } from './api.js';
import { FailureMessage } from './components/Message.js';
import { SignIn } from './components/SignIn.js';
import { SIGNED_OUT, signOut, useLoad } from './load.js';
import { CampaignPage } from './pages/CampaignPage.js';
import { CampaignsPage } from './pages/CampaignsPage.js';
import { onLinkClick, useRoute } from './routes.js';
import type { WorkspaceAnswer } from './types.js';
import './styles.css';

function Header({ context }: { context: WorkspaceAnswer | null }) {
  return (
    <header class="top">
      <a href="/" class="brand" onClick={onLinkClick}>
        Tally
      </a>
      {context && (
        <span class="workspace">
          {context.workspace.name} <span class="muted">({context.workspace.time_zone})</span>
        </span>
      )}
      <nav>
        <a href="/docs" target="_blank" rel="noreferrer">
          API reference
        </a>
        {context && (
          <button type="button" class="link" onClick={() => signOut()}>
            Sign out
          </button>
        )}
      </nav>
    </header>
  );
}

function Signed({ onContext }: { onContext: (context: WorkspaceAnswer | null) => void }) {
  const route = useRoute();
  const context = useLoad(() => apiGet<WorkspaceAnswer>('/workspace'), []);
  useEffect(() => onContext(context.state === 'done' ? context.value : null), [context.state]);
  if (context.state === 'loading') return <p class="muted">Loading…</p>;
  if (context.state === 'failed')
    return <FailureMessage error={context.error} retry={context.retry} />;
  return route.page === 'campaign' ? (
    <CampaignPage key={route.id} id={route.id} query={route.query} context={context.value} />
  ) : (
    <CampaignsPage query={route.query} context={context.value} />
  );
}

function App() {
  const [signedIn, setSignedIn] = useState(() => session.key() !== null);
  const [reason, setReason] = useState<string | null>(null);
  const [context, setContext] = useState<WorkspaceAnswer | null>(null);
  useEffect(() => {
    const onSignedOut = (event: Event) => {
      setReason((event as CustomEvent<string | null>).detail);
      setContext(null);
      setSignedIn(false);
    };
    window.addEventListener(SIGNED_OUT, onSignedOut);
    return () => window.removeEventListener(SIGNED_OUT, onSignedOut);
  }, []);
  return (
    <>
      <Header context={context} />
      <main>
        {signedIn ? (
          <Signed onContext={setContext} />
        ) : (
          <SignIn reason={reason} onSignedIn={() => setSignedIn(true)} />
        )}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);

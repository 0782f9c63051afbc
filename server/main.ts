// Starts the Stagecraft server: `node server/main.ts` (settings from the environment, see README).
import { ConfigError, readConfig } from './config.ts';
import { startServer } from './http/index.ts';

// A backstop: a promise nobody awaited must not end every learner's terminal. Logged, and looked into.
process.on('unhandledRejection', (reason) => console.error('unhandled rejection (a bug; the server keeps running):', reason));

try {
  const config = readConfig();
  const running = await startServer(config);
  console.log(`Stagecraft is running at ${running.url} (profile ${config.profile}). Press Ctrl+C to stop.`);
  if (config.host === '0.0.0.0' || config.host === '::') {
    console.log('Listening on every address: set STAGECRAFT_ORIGINS to the address learners open (e.g. http://192.0.2.10:4321), or their terminals are refused.');
  }
  const stop = () => {
    running.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`Stagecraft: ${error.message}`);
    process.exit(2);
  }
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error('Stagecraft: the port is already in use: stop the other program or set PORT to a free port.');
    process.exit(2);
  }
  throw error;
}

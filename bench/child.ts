import { spawn } from 'node:child_process';

/**
 * Runs a Node child process (load generators run apart from the server they measure) and answers the JSON it
 * prints; a non-zero exit or unreadable output rejects with the tail of its stderr. The child is killed if
 * `signal` aborts.
 */
export const runJsonChild = <T>(name: string, args: readonly string[], signal?: AbortSignal): Promise<T> =>
  new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(signal ? { signal } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${name} exited with ${code}: ${stderr}`));
      try {
        resolveRun(JSON.parse(stdout) as T);
      } catch (error) {
        reject(new Error(`unreadable ${name} report: ${stdout.slice(0, 200)}`, { cause: error }));
      }
    });
  });

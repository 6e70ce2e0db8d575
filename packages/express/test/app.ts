/** The behaviour suite's app, in Express. */
import type { AdapterAppSetup } from '@x402-rails/testkit/adapters';
import { nextTurn, STREAM_CHUNKS, serveNode } from '@x402-rails/testkit/adapters';
import express from 'express';
import { paid } from '../src/index.js';

export function startExpressApp({ server, route }: AdapterAppSetup) {
  const pay = paid(server, route);
  const app = express();
  app.options('/weather/:city', pay);
  app.get('/weather/:city', pay, (req, res) => {
    res.json({ city: req.params.city, weather: 'sunny' });
  });
  app.get('/forecast/:city', pay, (req, res) => {
    res.json({ city: req.params.city, forecast: 'rain' });
  });
  app.get('/broken/:city', pay, (_req, res) => {
    res.status(500).json({ error: 'broken' });
  });
  app.get('/throws/:city', pay, () => {
    throw new Error('the handler failed');
  });
  app.get('/stream/:city', pay, async (_req, res) => {
    res.type('text/plain');
    for (const chunk of STREAM_CHUNKS) {
      res.write(chunk);
      await nextTurn();
    }
    res.end();
  });
  return serveNode(app);
}

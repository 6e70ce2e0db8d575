/** What the paid API sells: each paid route, its price in dollars (on every rail), and its body. */
export interface PaidRouteSpec {
  method: 'GET';
  path: string;
  /** Human price, turned by each rail into its asset's atomic units (TOY, test USDC). */
  price: string;
  description: string;
  respond(): unknown;
}

const FORECASTS = ['sunny', 'cloudy', 'light rain', 'windy', 'fog until noon'] as const;

const JOKES = [
  'Why did the agent pay 0.01 TOY? Because the server said 402 and it had no other way to say thanks.',
  'HTTP 402 waited twenty-five years for someone to pay it.',
  'An agent walks into a bar. The bar replies: Payment Required.',
] as const;

function pick<T>(items: readonly [T, ...T[]]): T {
  return items[Math.floor(Math.random() * items.length)] ?? items[0];
}

export const PAID_ROUTES: readonly PaidRouteSpec[] = [
  {
    method: 'GET',
    path: '/weather',
    price: '$0.001',
    description: 'Current weather in Toyville',
    respond: () => ({
      city: 'Toyville',
      forecast: pick(FORECASTS),
      temperatureC: 12 + Math.floor(Math.random() * 15),
    }),
  },
  {
    method: 'GET',
    path: '/joke',
    price: '$0.01',
    description: 'A joke about machine payments',
    respond: () => ({ joke: pick(JOKES) }),
  },
];

/**
 * Routes priced for cards: a card charge has a floor (Stripe's minimum is $0.50), so the Stripe
 * rail is offered only on these, which every other rail accepts too.
 */
export const CARD_ROUTES: readonly PaidRouteSpec[] = [
  {
    method: 'GET',
    path: '/report',
    price: '$0.50',
    description: 'The Toyville market report (priced at the card minimum)',
    respond: () => ({
      city: 'Toyville',
      report: `Machine payments up ${1 + Math.floor(Math.random() * 40)}% this week`,
    }),
  },
];

/** A paid MCP tool: its name, price (on every rail), input and answer. */
export interface PaidToolSpec {
  name: string;
  price: string;
  description: string;
  /** What the agents ask for. */
  exampleArguments: { city: string };
  respond(args: { city: string }): string;
}

export const WEATHER_TOOL: PaidToolSpec = {
  name: 'weather',
  price: '$0.01',
  description: 'Current weather in a city',
  exampleArguments: { city: 'Oslo' },
  respond: ({ city }) => `${city}: ${pick(FORECASTS)}, ${8 + Math.floor(Math.random() * 15)}°C`,
};

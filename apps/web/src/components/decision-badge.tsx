import type { Decision } from '@neuronetiq/contracts';

const STYLE: Record<Decision, string> = {
  BUY: 'bg-buy/15 text-buy',
  SELL: 'bg-sell/15 text-sell',
  NEUTRAL: 'bg-neutral/15 text-neutral',
};

export function DecisionBadge({ decision }: { decision: Decision }) {
  return <span className={`badge font-semibold ${STYLE[decision]}`}>{decision}</span>;
}

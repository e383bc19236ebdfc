import { redirect } from 'next/navigation';

/** `/trade` without a symbol: the chart the header links to. */
export default function TradeIndex() {
  redirect('/trade/BTCUSDT');
}

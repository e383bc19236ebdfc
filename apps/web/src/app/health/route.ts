/** Liveness for `npm start` and load balancers: the server answers; it does not reach the api or the database. */
export function GET() {
  return Response.json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } });
}

import { MonthSchema, type RevenueStatement, revenueStatementCsv } from '@neuronetiq/contracts';
import { type NextRequest, NextResponse } from 'next/server';
import { getWebUrl } from '../../../../../env';
import { csvFileName } from '../../../../../lib/revenue';
import { ApiError, api } from '../../../../../server/api';
import { getViewer } from '../../../../../server/viewer';

/**
 * The signed-in vendor's statement of `?month=YYYY-MM` as a CSV download. The api reads the owner from the viewer's
 * token, so no parameter can reach another vendor's statement; anonymous callers are sent to the login page.
 */
export async function GET(request: NextRequest): Promise<Response> {
  const asked = request.nextUrl.searchParams.get('month');
  const viewer = await getViewer();
  if (!viewer) {
    const login = new URL('/marketplace/login', getWebUrl());
    login.searchParams.set('next', request.nextUrl.pathname + request.nextUrl.search);
    return NextResponse.redirect(login, 307);
  }
  const month = MonthSchema.safeParse(asked);
  if (!month.success) return problem(400, 'VALIDATION_ERROR', 'month must be YYYY-MM (for example 2026-12)', 'month');
  let statement: RevenueStatement;
  try {
    statement = (await api<{ data: RevenueStatement }>(viewer, '/api/vendor/revenue', { query: { month: month.data } }))
      .data;
  } catch (err) {
    if (err instanceof ApiError && err.status < 500 && err.body) {
      return problem(err.status, err.body.error, err.body.message, err.body.details?.[0]?.path);
    }
    throw err;
  }
  const csv = new TextEncoder().encode(revenueStatementCsv(statement));
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(csv);
      controller.close();
    },
  });
  return new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8; header=present',
      'content-disposition': `attachment; filename="${csvFileName(statement)}"`,
      'content-length': String(csv.byteLength),
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}

function problem(status: number, code: string, message: string, path?: string): Response {
  return NextResponse.json(
    { success: false, error: code, message, ...(path ? { details: [{ path, message }] } : {}) },
    { status, headers: { 'cache-control': 'no-store' } },
  );
}

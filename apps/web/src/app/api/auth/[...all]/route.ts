import { getAuth } from '../../../../server/auth';

// better-auth's endpoints (OAuth start and callback, session, sign-out), built on first request.
export const GET = (req: Request) => getAuth().handler(req);
export const POST = (req: Request) => getAuth().handler(req);

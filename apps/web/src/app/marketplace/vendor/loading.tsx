// The dashboard's skeleton is the listing's. (Not a loading.tsx over all of /marketplace: under a Suspense boundary the
// model page's notFound() would come after a 200 had been sent.)
export { default } from '../(listing)/loading';

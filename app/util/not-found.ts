/** The body of the 404 the catch-all route ($.tsx) throws: RouteError shows the "Page not found" panel for it. */
export const NOT_FOUND_PAGE = "No page at this address.";

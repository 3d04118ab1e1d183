import { Button, type MantineSize } from "@mantine/core";
import type { ReactNode } from "react";
import { Empty, ErrorState, Loading } from "./States";

/** The parts of a TanStack infinite query that a paged list shows. */
export type PagedQuery = {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  refetch: () => unknown;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
};

/** The button that loads the next page, shown while there is one. */
export function ShowMore({
  query,
  label = "Show more",
  size,
}: {
  query: PagedQuery;
  label?: string;
  size?: MantineSize | undefined;
}) {
  if (!query.hasNextPage) return null;
  return (
    <Button
      mt="sm"
      size={size}
      variant="default"
      loading={query.isFetchingNextPage}
      onClick={() => query.fetchNextPage()}
    >
      {label}
    </Button>
  );
}

/**
 * A paged list's states: loading, failed (with a retry), empty, or its rows (`children`)
 * followed by the button for the next page.
 */
export function PagedResults({
  query,
  count,
  loadingLabel,
  empty,
  more,
  moreSize,
  children,
}: {
  query: PagedQuery;
  /** How many rows are loaded so far. */
  count: number;
  loadingLabel?: string | undefined;
  empty: ReactNode;
  more?: string | undefined;
  moreSize?: MantineSize | undefined;
  children: ReactNode;
}) {
  if (query.isPending) return <Loading label={loadingLabel} />;
  if (query.isError) return <ErrorState error={query.error} retry={() => query.refetch()} />;
  if (count === 0) return <Empty>{empty}</Empty>;
  return (
    <>
      {children}
      <ShowMore query={query} label={more} size={moreSize} />
    </>
  );
}

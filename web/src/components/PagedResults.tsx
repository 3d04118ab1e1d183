import { Button, type MantineSize } from "@mantine/core";
import { type InfiniteData, type QueryKey, useInfiniteQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { api } from "../api/client";
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

/** A list read page by page from `GET path?limit=50&cursor=…`, the API's cursor paging. */
export function useCursorPages<T>(queryKey: QueryKey, path: string) {
  return useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) =>
      api<{ items: T[]; nextCursor: string | null }>(
        "GET",
        `${path}?limit=50${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ""}`,
      ),
    initialPageParam: "",
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** Every row of the pages loaded so far. */
export function loadedItems<T>(query: { data: InfiniteData<{ items: T[] }> | undefined }): T[] {
  return query.data?.pages.flatMap((p) => p.items) ?? [];
}

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

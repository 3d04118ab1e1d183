import { Card, Title } from "@mantine/core";
import type { ReactNode } from "react";

/** A bordered section of a screen, named by its heading (`titleId` labels the section for screen readers). */
export function SectionCard({ titleId, title, children }: { titleId: string; title: ReactNode; children: ReactNode }) {
  return (
    <Card withBorder component="section" aria-labelledby={titleId}>
      <Title order={2} size="h4" id={titleId} mb="sm">
        {title}
      </Title>
      {children}
    </Card>
  );
}

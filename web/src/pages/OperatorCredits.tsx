// The operator's credit rules for every school: the default monthly allowance, the default
// over-limit policy and grace days, and the categories never counted (exempt) or never held
// (critical). Each school's own override is on its screen (Schools, then the school).
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, describeError } from "../api/client";
import type { OperatorCreditSettings } from "../api/types";
import { categoryInfo } from "../categories";
import { CreditsInput } from "../components/CreditsInput";
import { policyLabels } from "../components/OperatorParts";
import { SectionCard } from "../components/SectionCard";
import { ErrorState, Loading } from "../components/States";

const SETTINGS_KEY = ["operator", "credit-settings"] as const;

/** A card of checkboxes, one for each category. */
function CategoryChoice(props: {
  label: string;
  description: string;
  value: string[];
  onChange: (value: string[]) => void;
}) {
  return (
    <Card withBorder component="section">
      <Checkbox.Group label={props.label} description={props.description} value={props.value} onChange={props.onChange}>
        <Stack gap={6} mt="xs">
          {categoryInfo.map((c) => (
            <Checkbox key={c.key} value={c.key} label={c.label} />
          ))}
        </Stack>
      </Checkbox.Group>
    </Card>
  );
}

function RulesForm({ settings }: { settings: OperatorCreditSettings }) {
  const queryClient = useQueryClient();
  const [allowance, setAllowance] = useState<number | string>(settings.defaultAllowance);
  const [policy, setPolicy] = useState<string>(settings.defaultPolicy);
  const [grace, setGrace] = useState<number | string>(settings.defaultGraceDays);
  const [exempt, setExempt] = useState<string[]>(settings.exemptCategories);
  const [critical, setCritical] = useState<string[]>(settings.criticalCategories);
  const save = useMutation({
    mutationFn: () =>
      api<OperatorCreditSettings>("PUT", "/v1/operator/credit-settings", {
        defaultAllowance: Number(allowance),
        defaultPolicy: policy,
        defaultGraceDays: Number(grace),
        exemptCategories: exempt,
        criticalCategories: critical,
      }),
    onSuccess: (next) => queryClient.setQueryData(SETTINGS_KEY, next),
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Stack gap="md">
        <SectionCard titleId="defaults-title" title="Every school, unless its own screen says otherwise">
          <Group align="flex-end" gap="sm" wrap="wrap">
            <CreditsInput
              label="Default monthly allowance"
              required
              min={0}
              value={allowance}
              onChange={setAllowance}
              w={{ base: "100%", sm: 220 }}
            />
            <Select
              label="Default over-limit policy"
              data={Object.entries(policyLabels).map(([value, label]) => ({ value, label }))}
              value={policy}
              onChange={(v) => v && setPolicy(v)}
              allowDeselect={false}
              w={{ base: "100%", sm: 300 }}
            />
            <NumberInput
              label="Default grace days"
              required
              min={0}
              allowDecimal={false}
              allowNegative={false}
              value={grace}
              onChange={setGrace}
              w={{ base: "100%", sm: 160 }}
            />
          </Group>
          <Text size="sm" c="dimmed" mt="xs">
            The allowance is free credit each month; unused credit does not roll over. Packages are spent first.
          </Text>
        </SectionCard>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <CategoryChoice
            label="Exempt categories: never counted"
            description="Mail of these categories costs no credit."
            value={exempt}
            onChange={setExempt}
          />
          <CategoryChoice
            label="Critical categories: never held"
            description="Counted, but sent even under a hard limit, and first in the queue."
            value={critical}
            onChange={setCritical}
          />
        </SimpleGrid>
        <Group>
          <Button type="submit" loading={save.isPending}>
            Save the rules
          </Button>
        </Group>
        {save.isError && (
          <Alert color="red" role="alert">
            {describeError(save.error)}
          </Alert>
        )}
        {save.isSuccess && (
          <Alert color="teal" role="status">
            The rules were saved; mail held for lack of credit is looked at again.
          </Alert>
        )}
      </Stack>
    </form>
  );
}

export default function OperatorCredits() {
  const settings = useQuery({
    queryKey: SETTINGS_KEY,
    queryFn: () => api<OperatorCreditSettings>("GET", "/v1/operator/credit-settings"),
  });
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        Credits
      </Title>
      {settings.isPending ? (
        <Loading label="Loading the credit rules" />
      ) : settings.isError ? (
        <ErrorState error={settings.error} retry={() => settings.refetch()} />
      ) : (
        <RulesForm settings={settings.data} />
      )}
    </Stack>
  );
}

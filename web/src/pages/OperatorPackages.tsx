// The operator's package catalogue: every package (also those taken off sale), a form to add
// one with its credits, price and expiry, changing a price, and taking one off sale. Schools' administrators buy
// them on the Overview.
import { Alert, Badge, Button, Group, Modal, NumberInput, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, describeError } from "../api/client";
import type { OperatorPackage } from "../api/types";
import { ConfirmButton } from "../components/ConfirmButton";
import { CreditsInput } from "../components/CreditsInput";
import { InlineForm, MutationError } from "../components/InlineForm";
import { NameInput } from "../components/OperatorParts";
import { loadedItems, PagedResults, useCursorPages } from "../components/PagedResults";
import { DataTable } from "../components/ScrollTable";
import { SectionCard } from "../components/SectionCard";
import { formatNumber, formatPrice } from "../format";

const PACKAGES_KEY = ["operator", "packages"] as const;

/** A price and its currency; the currency is required once there is a price. */
function PriceFields(props: {
  label: string;
  width: number;
  autoFocus?: boolean;
  amount: number | string;
  onAmount: (amount: number | string) => void;
  currency: string;
  onCurrency: (currency: string) => void;
}) {
  return (
    <>
      <NumberInput
        label={props.label}
        min={0}
        decimalScale={2}
        allowNegative={false}
        value={props.amount}
        onChange={props.onAmount}
        w={{ base: "100%", sm: props.width }}
        data-autofocus={props.autoFocus || undefined}
      />
      <TextInput
        label="Currency"
        required={props.amount !== ""}
        maxLength={3}
        pattern="[A-Za-z]{3}"
        value={props.currency}
        onChange={(e) => props.onCurrency(e.currentTarget.value)}
        w={{ base: "100%", sm: 90 }}
      />
    </>
  );
}

function AddPackage() {
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [credits, setCredits] = useState<number | string>("");
  const [amount, setAmount] = useState<number | string>("");
  const [currency, setCurrency] = useState("GBP");
  const [expiresInDays, setExpiresInDays] = useState<number | string>("");
  const add = useMutation({
    mutationFn: () =>
      api<OperatorPackage>("POST", "/v1/operator/packages", {
        name: name.trim(),
        credits: Number(credits),
        ...(expiresInDays !== "" ? { expiresInDays: Number(expiresInDays) } : {}),
        price: amount === "" ? null : { amount: Number(amount), currency: currency.trim().toUpperCase() },
      }),
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: PACKAGES_KEY });
      setName("");
      setCredits("");
      setAmount("");
      setExpiresInDays("");
    },
  });
  return (
    <SectionCard titleId="add-package-title" title="Add a package">
      <InlineForm onSubmit={() => add.mutate()} submitLabel="Add package" pending={add.isPending}>
        <NameInput label="Package name" value={name} onChange={setName} width={220} />
        <CreditsInput
          label="Credits"
          required
          min={1}
          value={credits}
          onChange={setCredits}
          w={{ base: "100%", sm: 140 }}
        />
        <PriceFields
          label="Price (optional)"
          width={130}
          amount={amount}
          onAmount={setAmount}
          currency={currency}
          onCurrency={setCurrency}
        />
        <NumberInput
          label="Expires after days (optional)"
          min={1}
          allowDecimal={false}
          allowNegative={false}
          value={expiresInDays}
          onChange={setExpiresInDays}
          w={{ base: "100%", sm: 200 }}
        />
      </InlineForm>
      <Text size="sm" c="dimmed" mt="xs">
        Without a price, schools see "Price on request". Payment is arranged outside Postbag.
      </Text>
      <MutationError error={add.error} />
      {add.data && (
        <Alert mt="sm" color="teal" role="status">
          {add.data.name} is on sale: schools' administrators can buy it on their Overview.
        </Alert>
      )}
    </SectionCard>
  );
}

/** Set or clear a package's price: what schools see from now on. */
function PriceDialog({ pkg, onClose }: { pkg: OperatorPackage | undefined; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [amount, setAmount] = useState<number | string>("");
  const [currency, setCurrency] = useState("GBP");
  const [opened, setOpened] = useState<string | undefined>();
  if (pkg && opened !== pkg.id) {
    setOpened(pkg.id);
    setAmount(pkg.price?.amount ?? "");
    setCurrency(pkg.price?.currency ?? "GBP");
  }
  const save = useMutation({
    mutationFn: (p: OperatorPackage) =>
      api<OperatorPackage>("PATCH", `/v1/operator/packages/${encodeURIComponent(p.id)}`, {
        price: amount === "" ? null : { amount: Number(amount), currency: currency.trim().toUpperCase() },
      }),
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: PACKAGES_KEY });
      close();
    },
  });
  const close = () => {
    save.reset();
    setOpened(undefined);
    onClose();
  };
  return (
    <Modal
      opened={pkg !== undefined}
      onClose={close}
      title={pkg ? `Price of ${pkg.name}` : ""}
      closeButtonProps={{ "aria-label": "Close" }}
    >
      {pkg && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate(pkg);
          }}
        >
          <Stack gap="sm">
            <Text size="sm">Empty: schools see "Price on request". Credit already bought keeps what was paid.</Text>
            <Group align="flex-end" gap="sm" wrap="wrap">
              <PriceFields
                label="Price"
                width={140}
                autoFocus
                amount={amount}
                onAmount={setAmount}
                currency={currency}
                onCurrency={setCurrency}
              />
            </Group>
            {save.isError && (
              <Alert color="red" role="alert">
                {describeError(save.error)}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={save.isPending}>
                Save price
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function Withdraw({ pkg }: { pkg: OperatorPackage }) {
  const queryClient = useQueryClient();
  const withdraw = useMutation({
    mutationFn: () => api("DELETE", `/v1/operator/packages/${encodeURIComponent(pkg.id)}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: PACKAGES_KEY }),
  });
  return (
    <>
      <ConfirmButton
        label="Take off sale"
        ariaLabel={`Take off sale: ${pkg.name}`}
        title={`Take ${pkg.name} off sale?`}
        message="Schools can no longer buy it. Credit they already bought stays with them."
        confirm="Take off sale"
        color="red.8"
        variant="filled"
        loading={withdraw.isPending}
        onConfirm={() => withdraw.mutate()}
      />
      {withdraw.isError && (
        <Text size="xs" c="red.8" role="alert">
          {describeError(withdraw.error)}
        </Text>
      )}
    </>
  );
}

export default function OperatorPackages() {
  const [pricing, setPricing] = useState<OperatorPackage | undefined>();
  const packages = useCursorPages<OperatorPackage>(PACKAGES_KEY, "/v1/operator/packages");
  const items = loadedItems(packages);
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        Packages
      </Title>
      <AddPackage />
      <SectionCard titleId="catalogue-title" title="The catalogue">
        <PagedResults
          query={packages}
          count={items.length}
          loadingLabel="Loading the packages"
          empty="No packages yet: add one above, so that schools can buy credit."
          more="Show more packages"
        >
          <DataTable
            titleId="catalogue-title"
            minWidth={720}
            testId="packages-table"
            columns={["Name", "Credits", "Price", "Expires", "On sale", { label: "Actions", hidden: true }]}
          >
            {items.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>{p.name}</Table.Td>
                <Table.Td>{formatNumber(p.credits)}</Table.Td>
                <Table.Td>{formatPrice(p.price)}</Table.Td>
                <Table.Td>
                  {p.expiresInDays ? `${formatNumber(p.expiresInDays)} days after purchase` : "Never"}
                </Table.Td>
                <Table.Td>
                  {p.active ? <Badge color="teal.9">On sale</Badge> : <Badge variant="default">Off sale</Badge>}
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Button size="xs" variant="light" aria-label={`Price: ${p.name}`} onClick={() => setPricing(p)}>
                      Price
                    </Button>
                    {p.active && <Withdraw pkg={p} />}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
        </PagedResults>
      </SectionCard>
      <PriceDialog pkg={pricing} onClose={() => setPricing(undefined)} />
    </Stack>
  );
}

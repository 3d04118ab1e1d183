import { NumberInput, type NumberInputProps } from "@mantine/core";

/** A whole number of credits, with thousands separated; `negative` lets it take credit away. */
export function CreditsInput({ negative = false, ...props }: NumberInputProps & { negative?: boolean }) {
  return <NumberInput allowDecimal={false} allowNegative={negative} thousandSeparator="," {...props} />;
}

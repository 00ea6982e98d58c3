import { Fragment } from "react";

/** Where a long identifier may wrap: after a separator (: / _ . - = @ ,) and between a lower-case letter or digit and a capital (camel case). */
const BREAKS = /(?<=[:/_.\-=@,])|(?<=[a-z0-9])(?=[A-Z])/;

/**
 * A role name, ARN or id that wraps at its word boundaries (a <wbr> at each)
 * instead of mid-word: "EngineeringAssistant|WebRole", never "Engineerin|g".
 * The text (copy, innerText) is unchanged.
 */
export function Breakable({ text }: { text: string }) {
  const parts = text.split(BREAKS);
  return (
    <>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {i > 0 ? <wbr /> : null}
          {part}
        </Fragment>
      ))}
    </>
  );
}

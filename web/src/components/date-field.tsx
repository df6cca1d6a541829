import { TextInput } from '@mantine/core';
import { useState } from 'react';

/**
 * A date field (YYYY-MM-DD) that reports a date only once it is complete: while a
 * date is being typed the browser's date input holds no value (or a year such as
 * 0020), and reporting that would reset the field to its default under the
 * user's fingers.
 */
export function DateField({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string;
  onChange: (date: string) => void;
}) {
  const [text, setText] = useState(value);
  const [seen, setSeen] = useState(value);
  if (value !== seen) {
    setSeen(value);
    setText(value);
  }
  return (
    <TextInput
      type="date"
      label={label}
      value={text}
      onChange={(e) => {
        const v = e.currentTarget.value;
        setText(v);
        // Typing a year digit by digit passes through years 0002, 0020, 0202.
        if (/^(19|20)\d{2}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v))) onChange(v);
      }}
    />
  );
}

"use client";

import { useEffect, useRef } from "react";

/**
 * For a row of choices that scrolls sideways on a phone: scrolls the selected one (the element the returned
 * ref is on) to the middle of its scrolling parent whenever `key` changes, and on first show.
 */
export function useKeepInView<T extends HTMLElement>(key: unknown) {
  const ref = useRef<T>(null);
  useEffect(() => {
    const element = ref.current;
    let row = element?.parentElement ?? null;
    while (row && row.scrollWidth <= row.clientWidth) row = row.parentElement;
    if (!element || !row) return;
    const offset = element.getBoundingClientRect().left - row.getBoundingClientRect().left + row.scrollLeft;
    row.scrollTo?.({ left: Math.max(0, offset - (row.clientWidth - element.offsetWidth) / 2) });
  }, [key]);
  return ref;
}

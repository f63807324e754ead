import type { Config } from "tailwindcss";

/** Maps the CSS variables of app/globals.css (the one home of the tokens) to utility names. */
const rgb = (name: string) => `rgb(var(--color-${name}) / <alpha-value>)`;

const config: Config = {
  content: ["./app/**/*.{ts,tsx}", "./components/**/*.{ts,tsx}", "./lib/**/*.{ts,tsx}"],
  theme: {
    extend: {
      colors: {
        page: rgb("page"),
        surface: rgb("surface"),
        subtle: rgb("subtle"),
        border: rgb("border"),
        ink: rgb("ink"),
        muted: rgb("muted"),
        primary: { DEFAULT: rgb("primary"), ink: rgb("primary-ink"), soft: rgb("primary-soft") },
        accent: { DEFAULT: rgb("accent"), ink: rgb("accent-ink"), soft: rgb("accent-soft") },
        "series-3": rgb("series-3"),
        negative: { DEFAULT: rgb("negative"), soft: rgb("negative-soft") },
        positive: { DEFAULT: rgb("positive"), soft: rgb("positive-soft") },
      },
      borderColor: { DEFAULT: rgb("border") },
      borderRadius: {
        card: "var(--radius-card)",
        control: "var(--radius-control)",
      },
      boxShadow: {
        soft: "var(--shadow-soft)",
        raised: "var(--shadow-raised)",
      },
      fontFamily: {
        sans: ["var(--font-sans)"],
      },
      fontSize: {
        label: ["12px", { lineHeight: "16px" }],
        body: ["14px", { lineHeight: "20px" }],
        title: ["24px", { lineHeight: "32px", fontWeight: "600" }],
        kpi: ["30px", { lineHeight: "36px", fontWeight: "500" }],
      },
      ringColor: { DEFAULT: rgb("primary") },
    },
  },
  plugins: [],
};

export default config;

// Entry point: take the control token first (it must leave the address bar before anything else
// runs), then render the app, or an explanation when there is no token.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App, MissingToken } from "./app";
import { readControlToken } from "./control-token";

const container = document.getElementById("root");
if (container === null) throw new Error("index.html has no #root element");
const root = createRoot(container);

readControlToken().then(
  (token) => root.render(<StrictMode>{token === null ? <MissingToken /> : <App token={token} />}</StrictMode>),
  (error: unknown) => {
    console.error("Could not get the control token:", error);
    root.render(
      <StrictMode>
        <MissingToken />
      </StrictMode>,
    );
  },
);

import { Client, type Dispatcher } from "undici";

/** Set on a request's options: whether it goes out on a connection that carried one before. */
const ON_A_USED_CONNECTION = Symbol("on a used connection");

/**
 * A connection of a proxy's pool that tells each request whether it is reused: the pool's
 * clients are each one connection (pipelining 1), so a request dispatched to a client whose
 * connection has carried a request since it connected goes out on a used connection. Read
 * with `onUsedConnection(options)`.
 */
export class ReuseTrackingClient extends Client {
  #carried = 0;

  constructor(origin: string | URL, options: Client.Options) {
    super(origin, options);
    this.on("disconnect", () => {
      this.#carried = 0;
    });
  }

  override dispatch(
    options: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
  ): boolean {
    // On the options: the pool hands the client the same object (its handler is wrapped).
    (options as { [ON_A_USED_CONNECTION]?: boolean })[ON_A_USED_CONNECTION] = this.#carried > 0;
    this.#carried++;
    return super.dispatch(options, handler);
  }
}

/** Whether the request of these options went out on a connection that had carried another. */
export function onUsedConnection(options: Dispatcher.DispatchOptions): boolean {
  return (options as { [ON_A_USED_CONNECTION]?: boolean })[ON_A_USED_CONNECTION] === true;
}

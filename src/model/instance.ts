/** One instance of the app under test: its 1-based number and its port. */
export interface InstanceRef {
  readonly index: number;
  readonly port: number;
}

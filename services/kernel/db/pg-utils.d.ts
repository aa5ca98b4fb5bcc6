/** `pg` exports its parameter encoder but its types do not declare it. */
declare module "pg/lib/utils.js" {
  const utils: { prepareValue(value: unknown): unknown };
  export default utils;
}

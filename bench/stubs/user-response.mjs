// Ablation "mapping": the response object of a user is built once per cached user object.
import { toUserResponse as real } from '../../dist/src/users/dto/user.response.js?bench-real';
export * from '../../dist/src/users/dto/user.response.js?bench-real';
const memo = new WeakMap();
export function toUserResponse(user) {
  let response = memo.get(user);
  if (!response) memo.set(user, (response = real(user)));
  return response;
}

// The calls of the settings panels (pairing, push, cookies), through api.js's one request function
// (session cookie, Origin, error shape, sign-in form back on a 401).
import { api, apiRequest } from './api.js'

const site = (name) => `/api/v1/cookies/${encodeURIComponent(name)}`

export const settingsApi = {
  /** who the page is signed in as: {name, scope} */
  session: () => api.whoAmI(),
  createPairing: (name) => apiRequest('POST', '/api/v1/pairings', { json: { name } }),
  pushPublicKey: () => apiRequest('GET', '/api/v1/push/public-key'),
  subscribePush: (subscription) => apiRequest('POST', '/api/v1/push/subscriptions', { json: subscription }),
  unsubscribePush: (endpoint) => apiRequest('DELETE', '/api/v1/push/subscriptions', { json: { endpoint } }),
  listCookies: () => apiRequest('GET', '/api/v1/cookies'),
  putCookies: (name, cookiesTxt) => apiRequest('PUT', site(name), { text: cookiesTxt }),
  removeCookies: (name) => apiRequest('DELETE', site(name)),
}

export const id = 85;
export const ids = [85];
export const modules = {

/***/ 38085:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   createGitHub: () => (/* binding */ createGitHub)
/* harmony export */ });
/* unused harmony export GITHUB_REQUEST_TIMEOUT_MS */
/* harmony import */ var _octokit_core__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(14730);
/* harmony import */ var _octokit_plugin_paginate_rest__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(93779);
/* harmony import */ var _octokit_plugin_rest_endpoint_methods__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(49210);
/* harmony import */ var _octokit_plugin_retry__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(49735);
/* harmony import */ var _octokit_plugin_throttling__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(86856);
/* harmony import */ var bottleneck_light_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(63251);
/* harmony import */ var bottleneck_light_js__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(bottleneck_light_js__WEBPACK_IMPORTED_MODULE_0__);






/**
 * Octokit with what the reporters use: the REST methods, pagination, retries on server errors and
 * GitHub's rate limits respected. Built from its parts rather than `@actions/github`'s
 * `getOctokit`, so the command line (Jenkins, Buildkite) reports with the same client.
 */
const GateOctokit = _octokit_core__WEBPACK_IMPORTED_MODULE_1__/* .Octokit */ .E.plugin(_octokit_plugin_rest_endpoint_methods__WEBPACK_IMPORTED_MODULE_2__/* .restEndpointMethods */ ._, _octokit_plugin_paginate_rest__WEBPACK_IMPORTED_MODULE_3__/* .paginateRest */ .ud, _octokit_plugin_retry__WEBPACK_IMPORTED_MODULE_4__/* .retry */ .L, _octokit_plugin_throttling__WEBPACK_IMPORTED_MODULE_5__/* .throttling */ .A);
const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'];
/**
 * Where a proxy is set (`HTTPS_PROXY`, `NO_PROXY` honoured), a fetch through it, by
 * `@actions/http-client`'s dispatcher as `@actions/github` does; otherwise Node's own fetch.
 */
function proxiedFetch(apiUrl, env) {
    if (!PROXY_VARIABLES.some((name) => env[name]))
        return undefined;
    // Loaded only where a proxy is set: a run that does not use it does not pay for it.
    const client = Promise.all([Promise.all(/* import() */[__webpack_require__.e(752), __webpack_require__.e(942)]).then(__webpack_require__.bind(__webpack_require__, 44942)), __webpack_require__.e(/* import() */ 752).then(__webpack_require__.t.bind(__webpack_require__, 24371, 19))]).then(([{ HttpClient }, undici]) => ({
        dispatcher: new HttpClient('agent-reliability-gate/1').getAgentDispatcher(apiUrl),
        fetch: undici.fetch,
    }));
    const through = async (url, init) => {
        const { dispatcher, fetch: undiciFetch } = await client;
        return undiciFetch(url, { ...init, dispatcher });
    };
    return through;
}
/** How long one GitHub call may take, retries included: a hung API must not hold the job. */
const GITHUB_REQUEST_TIMEOUT_MS = 20_000;
/**
 * Octokit for the API at `apiUrl` (through the proxy the environment names), with retries on
 * server errors, GitHub's rate limits respected, and a timeout on every request that is also
 * bounded by `budget`, the time left for all of the gate's GitHub calls.
 */
function createGitHub(token, apiUrl, log, budget, requestTimeoutMs = GITHUB_REQUEST_TIMEOUT_MS, env = process.env, 
/** What a call is told when `budget` is spent (default: that the gate's time for GitHub calls is). */
spent) {
    const proxyFetch = proxiedFetch(apiUrl, env);
    const github = new GateOctokit({
        auth: `token ${token}`,
        userAgent: 'agent-reliability-gate/1',
        baseUrl: apiUrl,
        ...(proxyFetch ? { request: { fetch: proxyFetch } } : {}),
        throttle: {
            // The gate writes at most three times a run (check start, check end, comment). The
            // plugin's spacing for bulk writers (1 s between writes, 3 s between notifying ones)
            // would only delay the verdict; GitHub's rate-limit answers are still honoured below.
            write: new (bottleneck_light_js__WEBPACK_IMPORTED_MODULE_0___default().Group)({ maxConcurrent: 1, minTime: 0 }),
            notifications: new (bottleneck_light_js__WEBPACK_IMPORTED_MODULE_0___default().Group)({ maxConcurrent: 1, minTime: 0 }),
            onRateLimit: (retryAfter, options, _octokit, retryCount) => {
                log.warning(`GitHub rate limit hit on ${options.method} ${options.url}; ${retryCount < 2 ? `retrying in ${retryAfter}s` : 'giving up'}.`);
                return retryCount < 2;
            },
            onSecondaryRateLimit: (retryAfter, options, _octokit, retryCount) => {
                log.warning(`GitHub secondary rate limit hit on ${options.method} ${options.url}; ${retryCount < 1 ? `retrying in ${retryAfter}s` : 'giving up'}.`);
                return retryCount < 1;
            },
        },
        retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 451] },
    });
    github.hook.wrap('request', async (request, options) => {
        const controller = new AbortController();
        // Named AbortError, octokit passes it through without a retry: a write that timed out may
        // have been carried out, and sending it again could create a second check run.
        const abort = (why) => controller.abort(Object.assign(new Error(why), { name: 'AbortError' }));
        const timeoutMs = Math.min(requestTimeoutMs, budget.remainingMs());
        if (timeoutMs <= 0)
            abort(spent ?? "no time is left for GitHub calls (the gate's `timeout` has passed)");
        const timer = setTimeout(() => abort(`GitHub did not answer within ${Math.round(timeoutMs / 100) / 10}s`), timeoutMs);
        // The budget can be cut short (a cancelled job): calls already under way stop then too.
        const onBudgetSpent = () => abort(spent ?? 'no time is left for GitHub calls');
        budget.signal.addEventListener('abort', onBudgetSpent, { once: true });
        // The hook chain is bound to this options object: it is changed in place, not replaced.
        options.request = { ...options.request, signal: controller.signal };
        try {
            return await request(options);
        }
        finally {
            clearTimeout(timer);
            budget.signal.removeEventListener('abort', onBudgetSpent);
        }
    });
    return github;
}


/***/ })

};

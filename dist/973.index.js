export const id = 973;
export const ids = [973];
export const modules = {

/***/ 54973:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   createGitHub: () => (/* binding */ createGitHub)
/* harmony export */ });
/* unused harmony export GITHUB_REQUEST_TIMEOUT_MS */
/* harmony import */ var _actions_github__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(11758);
/* harmony import */ var _octokit_plugin_retry__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(49735);
/* harmony import */ var _octokit_plugin_throttling__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(86856);
/* harmony import */ var bottleneck_light_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(63251);
/* harmony import */ var bottleneck_light_js__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(bottleneck_light_js__WEBPACK_IMPORTED_MODULE_1__);




/** How long one GitHub call may take, retries included: a hung API must not hold the job. */
const GITHUB_REQUEST_TIMEOUT_MS = 20_000;
/**
 * Octokit from `@actions/github` (with the runner's proxy settings) for the API at `apiUrl`,
 * with retries on server errors, GitHub's rate limits respected, and a timeout on every
 * request that is also bounded by `budget`, the time left for all of the gate's GitHub calls.
 */
function createGitHub(token, apiUrl, log, budget, requestTimeoutMs = GITHUB_REQUEST_TIMEOUT_MS) {
    const github = (0,_actions_github__WEBPACK_IMPORTED_MODULE_0__/* .getOctokit */ .Q)(token, {
        baseUrl: apiUrl,
        throttle: {
            // The gate writes at most three times a run (check start, check end, comment). The
            // plugin's spacing for bulk writers (1 s between writes, 3 s between notifying ones)
            // would only delay the verdict; GitHub's rate-limit answers are still honoured below.
            write: new (bottleneck_light_js__WEBPACK_IMPORTED_MODULE_1___default().Group)({ maxConcurrent: 1, minTime: 0 }),
            notifications: new (bottleneck_light_js__WEBPACK_IMPORTED_MODULE_1___default().Group)({ maxConcurrent: 1, minTime: 0 }),
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
    }, _octokit_plugin_retry__WEBPACK_IMPORTED_MODULE_2__/* .retry */ .L, _octokit_plugin_throttling__WEBPACK_IMPORTED_MODULE_3__/* .throttling */ .A);
    github.hook.wrap('request', async (request, options) => {
        const controller = new AbortController();
        // Named AbortError, octokit passes it through without a retry: a write that timed out may
        // have been carried out, and sending it again could create a second check run.
        const abort = (why) => controller.abort(Object.assign(new Error(why), { name: 'AbortError' }));
        const timeoutMs = Math.min(requestTimeoutMs, budget.remainingMs());
        if (timeoutMs <= 0)
            abort('no time is left for GitHub calls (the gate\'s `timeout` has passed)');
        const timer = setTimeout(() => abort(`GitHub did not answer within ${Math.round(timeoutMs / 100) / 10}s`), timeoutMs);
        // The budget can be cut short (a cancelled job): calls already under way stop then too.
        const onBudgetSpent = () => abort('no time is left for GitHub calls');
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

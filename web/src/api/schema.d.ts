// Generated from Postbag's OpenAPI document by scripts/openapi-types.ts: do not edit.
// Regenerate with `npm run openapi:types`.

export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            status: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            status: string;
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/account": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The live own-account settings, secrets masked, with the pace they allow (administrator, staff)
         * @description `builtinSender` is the address the built-in service sends this tenant's mail from (noreply@ the operator's domain, or the tenant's generic address once its domain is verified).
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/account/draft": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The settings wizard's draft (administrator keys only)
         * @description Each saved step, secrets masked, and the problems Finish would report. Without a draft, a copy of the live settings.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        /**
         * Save wizard steps into the draft (administrator keys only)
         * @description Send `{ step, <step>: {...} }` to save one step, or any of the sections to save several. Each section replaces that step whole. A step is saved even when a field is wrong; the answer lists `problems` per step and field, and Finish refuses until there are none. The live settings are untouched. Secrets: a string sets one, omitted keeps the saved one, null removes it.
         */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        account?: {
                            fromAddress?: string | null;
                            fromName?: string | null;
                            /** @enum {string} */
                            mode: "builtin" | "own_account";
                            receive?: {
                                auth: {
                                    /** @enum {string} */
                                    method: "password";
                                    password?: string | null;
                                    /** @description The login name, often the email address */
                                    user: string;
                                } | {
                                    clientId: string;
                                    clientSecret?: string | null;
                                    /** @enum {string} */
                                    method: "oauth2";
                                    /** @enum {string} */
                                    provider: "microsoft" | "google";
                                    refreshToken?: string | null;
                                    scope?: string | null;
                                    tokenUrl?: string | null;
                                    /** @description The login name, often the email address */
                                    user: string;
                                };
                                /** @description Host name or IP address, without scheme or port */
                                host: string;
                                mailbox?: string | null;
                                port: number;
                                /** @enum {string} */
                                protocol: "imap" | "pop3";
                                /**
                                 * @description starttls: STARTTLS required (never falls back to clear text); tls: TLS from the first byte
                                 * @enum {string}
                                 */
                                security: "none" | "starttls" | "tls";
                            } | null;
                            smtp?: {
                                auth: {
                                    /** @enum {string} */
                                    method: "password";
                                    password?: string | null;
                                    /** @description The login name, often the email address */
                                    user: string;
                                } | {
                                    clientId: string;
                                    clientSecret?: string | null;
                                    /** @enum {string} */
                                    method: "oauth2";
                                    /** @enum {string} */
                                    provider: "microsoft" | "google";
                                    refreshToken?: string | null;
                                    scope?: string | null;
                                    tokenUrl?: string | null;
                                    /** @description The login name, often the email address */
                                    user: string;
                                };
                                /** @description Host name or IP address, without scheme or port */
                                host: string;
                                port: number;
                                /**
                                 * @description starttls: STARTTLS required (never falls back to clear text); tls: TLS from the first byte
                                 * @enum {string}
                                 */
                                security: "none" | "starttls" | "tls";
                            } | null;
                        };
                        attachments_signature?: {
                            attachments?: {
                                /** @description Refused on top of the built-in dangerous types (exe, js, vbs, ...), which are always refused */
                                blockedExtensions?: string[];
                                maxBytes?: number;
                            };
                            /** @description Whether people may open (download) attachments of received mail in the inbox; default: as it is now */
                            openReceivedAttachments?: boolean;
                            signature?: {
                                enabled: boolean;
                                html?: string | null;
                                text?: string | null;
                            };
                        };
                        receiving?: {
                            schedule: {
                                minutes: number;
                                /** @enum {string} */
                                mode: "every";
                                window?: {
                                    /** @description HH:MM, tenant time */
                                    end: string;
                                    /** @description HH:MM, tenant time */
                                    start: string;
                                } | null;
                            } | {
                                /** @enum {string} */
                                mode: "times";
                                times: string[];
                            };
                        };
                        sending?: {
                            dailyLimit?: number | null;
                            delaySeconds?: number | null;
                            /** @description 0: send immediately; else held (and cancellable) */
                            holdMinutes?: number;
                            window?: {
                                /** @description HH:MM, tenant time */
                                end: string;
                                /** @description HH:MM, tenant time */
                                start: string;
                            } | null;
                        };
                        /**
                         * @description The one step this request saves; its section must be the only one given
                         * @enum {string}
                         */
                        step?: "account" | "sending" | "receiving" | "attachments_signature";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/account/draft/finish": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Finish: save the draft as the live settings, whole and at once (administrator keys only)
         * @description Checks every step; any problem refuses Finish (400, naming the step and field) and changes nothing. An own-account draft whose account step, as it is now, never passed Test connection is refused with 409 account_not_tested. Otherwise the settings, the signature and the sending mode are saved in one transaction and the draft is removed.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/account/oauth/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Connect: where the provider sends the administrator back; returns to the wizard
         * @description Checks the state (this tenant, this person, unused, unexpired), trades the code with the PKCE verifier for a refresh token and seals it into the draft; then redirects (303) to the console's wizard (/email-settings?connected=<provider>, or ?connectError=<reason>). A wrong, replayed or expired state, or a draft changed since Connect, changes nothing.
         */
        get: {
            parameters: {
                query?: {
                    code?: string;
                    error?: string;
                    error_description?: string;
                    state?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                303: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/account/oauth/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Connect: start OAuth2 sign-in at Microsoft or Google for the draft's account (administrator)
         * @description Answers the provider's authorization URL (authorization-code flow with PKCE S256) for the browser to open. The state and the PKCE verifier stay on the server, bound to this tenant, this person and the draft's current version, for 10 minutes and one use. Save the account step (address, servers) first: the provider's answer is sealed into that draft.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        provider: "microsoft" | "google";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            authorizeUrl: string;
                            expiresAt: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/account/providers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The mail providers the wizard offers, their servers, and whether Connect is available (administrator)
         * @description Connect (OAuth2 sign-in) is offered only for a provider the operator registered an app with (POSTBAG_OAUTH_MICROSOFT_* / POSTBAG_OAUTH_GOOGLE_*).
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            providers: {
                                /** @description Whether Connect (OAuth2 sign-in) is available */
                                connect: boolean;
                                /** @enum {string} */
                                id: "microsoft" | "google";
                                imap: {
                                    host: string;
                                    port: number;
                                    /** @enum {string} */
                                    security: "none" | "starttls" | "tls";
                                };
                                name: string;
                                pop3: {
                                    host: string;
                                    port: number;
                                    /** @enum {string} */
                                    security: "none" | "starttls" | "tls";
                                };
                                smtp: {
                                    host: string;
                                    port: number;
                                    /** @enum {string} */
                                    security: "none" | "starttls" | "tls";
                                };
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/account/reset-mailbox-counter": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Read the mailbox afresh from its first message, without importing anything twice */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description How many times the counter was reset, plus one */
                            generation: number;
                            /**
                             * Format: date-time
                             * @description The mailbox is read again at the next poller tick
                             */
                            nextPollAt: string;
                            protocol: string;
                            /** Format: date-time */
                            resetAt: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/account/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Test connection to the sending and receiving servers; saves nothing (administrator keys only)
         * @description Tests the `account` step given in the body, applied over the saved draft (so saved secrets are used when omitted); with an empty body, the saved draft (or live settings). Answers each step (dns, connect, tls, auth, send for SMTP; dns, connect, tls, login, mailbox for IMAP/POP3) with ok, a readable message and the time taken; after a failure the later steps are skipped. `send` offers the account's address in MAIL FROM, then RSET: nothing is sent. A test that passes is remembered for these values (Finish needs it).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        account?: {
                            fromAddress?: string | null;
                            fromName?: string | null;
                            /** @enum {string} */
                            mode: "builtin" | "own_account";
                            receive?: {
                                auth: {
                                    /** @enum {string} */
                                    method: "password";
                                    password?: string | null;
                                    /** @description The login name, often the email address */
                                    user: string;
                                } | {
                                    clientId: string;
                                    clientSecret?: string | null;
                                    /** @enum {string} */
                                    method: "oauth2";
                                    /** @enum {string} */
                                    provider: "microsoft" | "google";
                                    refreshToken?: string | null;
                                    scope?: string | null;
                                    tokenUrl?: string | null;
                                    /** @description The login name, often the email address */
                                    user: string;
                                };
                                /** @description Host name or IP address, without scheme or port */
                                host: string;
                                mailbox?: string | null;
                                port: number;
                                /** @enum {string} */
                                protocol: "imap" | "pop3";
                                /**
                                 * @description starttls: STARTTLS required (never falls back to clear text); tls: TLS from the first byte
                                 * @enum {string}
                                 */
                                security: "none" | "starttls" | "tls";
                            } | null;
                            smtp?: {
                                auth: {
                                    /** @enum {string} */
                                    method: "password";
                                    password?: string | null;
                                    /** @description The login name, often the email address */
                                    user: string;
                                } | {
                                    clientId: string;
                                    clientSecret?: string | null;
                                    /** @enum {string} */
                                    method: "oauth2";
                                    /** @enum {string} */
                                    provider: "microsoft" | "google";
                                    refreshToken?: string | null;
                                    scope?: string | null;
                                    tokenUrl?: string | null;
                                    /** @description The login name, often the email address */
                                    user: string;
                                };
                                /** @description Host name or IP address, without scheme or port */
                                host: string;
                                port: number;
                                /**
                                 * @description starttls: STARTTLS required (never falls back to clear text); tls: TLS from the first byte
                                 * @enum {string}
                                 */
                                security: "none" | "starttls" | "tls";
                            } | null;
                        };
                        attachments_signature?: {
                            attachments?: {
                                /** @description Refused on top of the built-in dangerous types (exe, js, vbs, ...), which are always refused */
                                blockedExtensions?: string[];
                                maxBytes?: number;
                            };
                            /** @description Whether people may open (download) attachments of received mail in the inbox; default: as it is now */
                            openReceivedAttachments?: boolean;
                            signature?: {
                                enabled: boolean;
                                html?: string | null;
                                text?: string | null;
                            };
                        };
                        receiving?: {
                            schedule: {
                                minutes: number;
                                /** @enum {string} */
                                mode: "every";
                                window?: {
                                    /** @description HH:MM, tenant time */
                                    end: string;
                                    /** @description HH:MM, tenant time */
                                    start: string;
                                } | null;
                            } | {
                                /** @enum {string} */
                                mode: "times";
                                times: string[];
                            };
                        };
                        sending?: {
                            dailyLimit?: number | null;
                            delaySeconds?: number | null;
                            /** @description 0: send immediately; else held (and cancellable) */
                            holdMinutes?: number;
                            window?: {
                                /** @description HH:MM, tenant time */
                                end: string;
                                /** @description HH:MM, tenant time */
                                start: string;
                            } | null;
                        };
                        /**
                         * @description The one step this request saves; its section must be the only one given
                         * @enum {string}
                         */
                        step?: "account" | "sending" | "receiving" | "attachments_signature";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            [key: string]: unknown;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/announcements": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Announcements, newest first; searchable by subject, filtered by state */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor from the previous page */
                    cursor?: string;
                    limit?: number;
                    /** @description Part of the subject, any case */
                    search?: string;
                    /** @description Only these states (repeat the parameter for several) */
                    state?: ("scheduled" | "sending" | "sent" | "cancelled")[];
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                cancelledAt: string | null;
                                category: string;
                                consolidate: boolean;
                                /** Format: date-time */
                                createdAt: string;
                                essential: boolean;
                                fannedOutAt: string | null;
                                id: string;
                                /** @description The template message */
                                messageId: string;
                                /** @description Recipient rows (emails) queued so far */
                                recipientCount: number;
                                /** Format: date-time */
                                sendAt: string;
                                /** @description scheduled, sending, sent or cancelled */
                                state: string;
                                subject: string;
                                useSignature: boolean;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        /**
         * Compose an announcement to contacts, subjects or subject groups, now or at sendAt
         * @description Answers 202 once the announcement is stored; its fan-out to recipients runs in the background (at once, or at sendAt). Unknown audience entries are listed in `unresolved`; if nothing at all matches, the request is refused.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        attachments?: {
                            /** @description base64 */
                            content: string;
                            contentType?: string;
                            filename: string;
                        }[];
                        /** @description External ids of contacts and subjects, and subject group names. A subject reaches the contacts linked to it who receive mail about it; a group reaches its subjects. */
                        audience: {
                            contacts?: string[];
                            subjectGroups?: string[];
                            subjects?: string[];
                        };
                        /** @description announcement (default), invitation, alert or scheduled */
                        category?: string;
                        /** @description One email per contact covering all their subjects (siblings), instead of one per subject */
                        consolidate: boolean;
                        /** @description Reaches contacts who opted out of the category (never suppressed ones) */
                        essential: boolean;
                        /** @description Sanitised: scripts, event handlers and javascript: URLs removed */
                        html?: string;
                        /** @description Per-subject values for {{subject.<field>}}: { <subject externalId>: { field: value } } */
                        mergeData?: {
                            [key: string]: {
                                [key: string]: string;
                            };
                        };
                        /**
                         * Format: date-time
                         * @description Default now; at most a year ahead
                         */
                        sendAt?: string;
                        /** @description May carry merge fields: {{contact.name}}, {{subject.name}} */
                        subject: string;
                        text?: string;
                        /** @description Add the tenant's signature */
                        useSignature?: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            cancelledAt: string | null;
                            category: string;
                            consolidate: boolean;
                            /** Format: date-time */
                            createdAt: string;
                            essential: boolean;
                            fannedOutAt: string | null;
                            id: string;
                            /** @description The template message */
                            messageId: string;
                            /** @description Recipient rows (emails) queued so far */
                            recipientCount: number;
                            /** Format: date-time */
                            sendAt: string;
                            /** @description scheduled, sending, sent or cancelled */
                            state: string;
                            subject: string;
                            /** @description Audience entries that matched nothing of this tenant's (the rest is sent) */
                            unresolved: {
                                contacts: string[];
                                subjectGroups: string[];
                                subjects: string[];
                            };
                            useSignature: boolean;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/announcements/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One announcement: its content, audience and state */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            attachments: {
                                contentType: string;
                                filename: string;
                                size: number;
                            }[];
                            audience: {
                                contacts: string[];
                                subjectGroups: string[];
                                subjects: string[];
                            };
                            cancelledAt: string | null;
                            category: string;
                            consolidate: boolean;
                            /** Format: date-time */
                            createdAt: string;
                            essential: boolean;
                            fannedOutAt: string | null;
                            html: string | null;
                            id: string;
                            mergeData: {
                                [key: string]: {
                                    [key: string]: string;
                                };
                            };
                            /** @description The template message */
                            messageId: string;
                            /** @description Recipient rows (emails) queued so far */
                            recipientCount: number;
                            /** Format: date-time */
                            sendAt: string;
                            /** @description scheduled, sending, sent or cancelled */
                            state: string;
                            subject: string;
                            text: string | null;
                            useSignature: boolean;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/announcements/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel an announcement before its fan-out begins
         * @description 409 once recipients are being queued or were queued; cancelling twice answers the cancelled announcement.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            cancelledAt: string | null;
                            category: string;
                            consolidate: boolean;
                            /** Format: date-time */
                            createdAt: string;
                            essential: boolean;
                            fannedOutAt: string | null;
                            id: string;
                            /** @description The template message */
                            messageId: string;
                            /** @description Recipient rows (emails) queued so far */
                            recipientCount: number;
                            /** Format: date-time */
                            sendAt: string;
                            /** @description scheduled, sending, sent or cancelled */
                            state: string;
                            subject: string;
                            useSignature: boolean;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/announcements/{id}/recipients": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One announcement's recipients (one per email), filtered by status and searchable */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor from the previous page */
                    cursor?: string;
                    /** @description latest (default): each recipient's latest delivery; all: replaced deliveries (before a resend) too */
                    deliveries?: "latest" | "all";
                    limit?: number;
                    /** @description Part of the address, contact name or contact id */
                    search?: string;
                    status?: "queued" | "sent" | "opened" | "soft_bounce" | "rejected" | "hard_bounce" | "spam" | "email_missing" | "opted_out" | "pending_digest" | "held_no_credit" | "cancelled";
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** @description For a contact deleted since: name and address erased */
                                contactDeleted: boolean;
                                contactExternalId: string | null;
                                contactName: string | null;
                                /** @description '' when the contact has no usable address */
                                email: string;
                                lastSmtpCode: number | null;
                                lastText: string | null;
                                openedAt: string | null;
                                previousStatus: ("queued" | "sent" | "opened" | "soft_bounce" | "rejected" | "hard_bounce" | "spam" | "email_missing" | "opted_out" | "pending_digest" | "held_no_credit" | "cancelled") | null;
                                reason: ("user_unknown" | "mailbox_disabled" | "mailbox_full" | "host_unknown" | "sender_rejected" | "relaying_denied" | "auth_failure" | "policy" | "blocked" | "spam_detected" | "virus_detected" | "content_rejected" | "message_too_big" | "rate_limited" | "expired" | "network_error" | "system_error" | "other") | null;
                                recipientId: string;
                                replacedAt: string | null;
                                resendOf: string | null;
                                sentAt: string | null;
                                /** @enum {string} */
                                status: "queued" | "sent" | "opened" | "soft_bounce" | "rejected" | "hard_bounce" | "spam" | "email_missing" | "opted_out" | "pending_digest" | "held_no_credit" | "cancelled";
                                /** @description Names of the subjects this email is about */
                                subjects: string[];
                                /** @description The address is on the suppression list */
                                suppressed: boolean;
                                /** Format: date-time */
                                updatedAt: string;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/announcements/{id}/recipients.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The recipient list as CSV (streamed; same filters as the JSON list)
         * @description Cells a spreadsheet would read as a formula (starting with = + - @) are prefixed with a single quote.
         */
        get: {
            parameters: {
                query?: {
                    /** @description latest (default): each recipient's latest delivery; all: replaced deliveries (before a resend) too */
                    deliveries?: "latest" | "all";
                    /** @description Part of the address, contact name or contact id */
                    search?: string;
                    status?: "queued" | "sent" | "opened" | "soft_bounce" | "rejected" | "hard_bounce" | "spam" | "email_missing" | "opted_out" | "pending_digest" | "held_no_credit" | "cancelled";
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description text/csv */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/csv": unknown;
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/csv": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/csv": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/csv": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/csv": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/announcements/{id}/resend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resend an announcement to some recipients, or to all failed ones
         * @description Each resend is a new delivery to the contact's address as it is now, linked to the one it replaces (`resendOf`), queued and charged like any email. The statistics count each recipient once, by its latest delivery. A soft bounce still waiting for its retry stops retrying, so only one copy goes. Recipients that cannot be resent are listed in `skipped` with the reason; an id that is not this announcement's is 404.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Resend to every recipient whose latest delivery is email_missing, hard_bounce, soft_bounce or rejected */
                        failed?: boolean;
                        /** @description Resend named recipients whose latest delivery is sent or opened too (default false) */
                        includeSent?: boolean;
                        /** @description Recipients (deliveries) of this announcement to resend */
                        recipientIds?: string[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            deliveries: {
                                /** @description The contact's address now */
                                email: string;
                                /** @description The new delivery */
                                recipientId: string;
                                /** @description The delivery it replaces */
                                resendOf: string;
                                /** @enum {string} */
                                status: "queued" | "sent" | "opened" | "soft_bounce" | "rejected" | "hard_bounce" | "spam" | "email_missing" | "opted_out" | "pending_digest" | "held_no_credit" | "cancelled";
                            }[];
                            skipped: {
                                /**
                                 * @description already_sent (sent or opened; pass includeSent), waiting (not failed yet), final (opted out, spam, cancelled), replaced (a later delivery exists), no_address, suppressed (reset it first), busy (being retried right now)
                                 * @enum {string}
                                 */
                                reason: "already_sent" | "waiting" | "final" | "replaced" | "no_address" | "suppressed" | "busy";
                                recipientId: string;
                                /** @enum {string} */
                                status: "queued" | "sent" | "opened" | "soft_bounce" | "rejected" | "hard_bounce" | "spam" | "email_missing" | "opted_out" | "pending_digest" | "held_no_credit" | "cancelled";
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/announcements/{id}/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Counts per status, delivery and open rates of one announcement */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Opens that look automated (privacy proxies, scanners) */
                            automatedOpens: number;
                            /** @description Recipients per current status; every status is present, zeros included */
                            counts: {
                                cancelled: number;
                                email_missing: number;
                                hard_bounce: number;
                                held_no_credit: number;
                                opened: number;
                                opted_out: number;
                                pending_digest: number;
                                queued: number;
                                rejected: number;
                                sent: number;
                                soft_bounce: number;
                                spam: number;
                            };
                            /** @description Still queued after the delayed threshold (POSTBAG_DELAYED_AFTER_MINUTES) */
                            delayed: number;
                            /** @description sent + opened + spam: accepted by the recipient's server */
                            delivered: number;
                            /** @description delivered ÷ total */
                            deliveryRate: number;
                            /** @description Recipients with at least one open that does not look automated */
                            humanOpens: number;
                            id: string;
                            /** @description opened ÷ delivered */
                            openRate: number;
                            /** @description Opens that do not look automated, per hour, oldest first; hours without opens are left out */
                            opensByHour: {
                                /** Format: date-time */
                                hour: string;
                                opens: number;
                            }[];
                            state: string;
                            total: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/announcements/estimate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Estimate an announcement: recipients, emails, statuses and credits, without sending or storing
         * @description Takes the body of POST /v1/announcements and checks it the same way; counts come from the same audience resolution, screening order and credit rules as the sending, at the time of the request.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        attachments?: {
                            /** @description base64 */
                            content: string;
                            contentType?: string;
                            filename: string;
                        }[];
                        /** @description External ids of contacts and subjects, and subject group names. A subject reaches the contacts linked to it who receive mail about it; a group reaches its subjects. */
                        audience: {
                            contacts?: string[];
                            subjectGroups?: string[];
                            subjects?: string[];
                        };
                        /** @description announcement (default), invitation, alert or scheduled */
                        category?: string;
                        /** @description One email per contact covering all their subjects (siblings), instead of one per subject */
                        consolidate: boolean;
                        /** @description Reaches contacts who opted out of the category (never suppressed ones) */
                        essential: boolean;
                        /** @description Sanitised: scripts, event handlers and javascript: URLs removed */
                        html?: string;
                        /** @description Per-subject values for {{subject.<field>}}: { <subject externalId>: { field: value } } */
                        mergeData?: {
                            [key: string]: {
                                [key: string]: string;
                            };
                        };
                        /**
                         * Format: date-time
                         * @description Default now; at most a year ahead
                         */
                        sendAt?: string;
                        /** @description May carry merge fields: {{contact.name}}, {{subject.name}} */
                        subject: string;
                        text?: string;
                        /** @description Add the tenant's signature */
                        useSignature?: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            credits: {
                                available: number;
                                /** @description False when this mail is not charged (own account, exempt category) */
                                charged: boolean;
                                fits: boolean;
                                needed: number;
                                /** @description Emails beyond what is available */
                                overLimit: number;
                                /** @description none (it fits), sent (charged over the limit) or held (held_no_credit until credit comes) */
                                overLimitAction: string;
                                /** @description The over-limit policy: soft, hard or grace */
                                policy: string;
                            } | null;
                            emails: {
                                /** @description Emails with consolidation: one per contact */
                                consolidated: number;
                                /** @description Emails without: one per contact and subject */
                                separate: number;
                            };
                            /** @description Contacts reached */
                            recipients: number;
                            /** @description The emails of the body's consolidate choice by the status their first attempt would give */
                            statuses: {
                                email_missing: number;
                                opted_out: number;
                                pending_digest: number;
                                queued: number;
                                rejected: number;
                            };
                            /** @description Distinct subjects (students) the audience names */
                            subjects: number;
                            unresolved: {
                                contacts: string[];
                                subjectGroups: string[];
                                subjects: string[];
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/announcements/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * One recipient's email of an announcement, as delivery would render it, without storing or sending
         * @description Takes the body of POST /v1/announcements plus an optional `recipient`. Answers the subject, HTML and text that contact would get: merge fields filled in, consolidated sections, signature and unsubscribe footer, made by the same code as the real emails. Links in a preview name no recipient: they open a page saying the link is not valid. The open pixel is left out.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        attachments?: {
                            /** @description base64 */
                            content: string;
                            contentType?: string;
                            filename: string;
                        }[];
                        /** @description External ids of contacts and subjects, and subject group names. A subject reaches the contacts linked to it who receive mail about it; a group reaches its subjects. */
                        audience: {
                            contacts?: string[];
                            subjectGroups?: string[];
                            subjects?: string[];
                        };
                        /** @description announcement (default), invitation, alert or scheduled */
                        category?: string;
                        /** @description One email per contact covering all their subjects (siblings), instead of one per subject */
                        consolidate: boolean;
                        /** @description Reaches contacts who opted out of the category (never suppressed ones) */
                        essential: boolean;
                        /** @description Sanitised: scripts, event handlers and javascript: URLs removed */
                        html?: string;
                        /** @description Per-subject values for {{subject.<field>}}: { <subject externalId>: { field: value } } */
                        mergeData?: {
                            [key: string]: {
                                [key: string]: string;
                            };
                        };
                        /** @description Whose email to show; default: the contact reached through the most subjects */
                        recipient?: {
                            /** @description External id of a contact in the audience */
                            contact?: string;
                            /** @description Without consolidation, which of the contact's subjects (external id) the email is about */
                            subject?: string;
                        };
                        /**
                         * Format: date-time
                         * @description Default now; at most a year ahead
                         */
                        sendAt?: string;
                        /** @description May carry merge fields: {{contact.name}}, {{subject.name}} */
                        subject: string;
                        text?: string;
                        /** @description Add the tenant's signature */
                        useSignature?: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            from: {
                                email: string;
                                name: string | null;
                            };
                            html: string | null;
                            recipient: {
                                contact: {
                                    email: string | null;
                                    externalId: string;
                                    name: string;
                                };
                                /** @description How many emails this contact gets from the announcement */
                                emails: number;
                                /** @description The subjects this email is about: several are the sections of a consolidated email */
                                subjects: {
                                    externalId: string;
                                    name: string;
                                }[];
                            };
                            subject: string;
                            text: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/announcements/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send the preview to yourself as a test, never to the audience
         * @description Takes the body of POST /v1/announcements/preview and queues its email, subject marked "[Test] ", to the signed-in person's own address; for an API key, to each of the tenant's administrators with an address (409 when there is none). A test is ordinary mail of the announcement's category: charged like any email, listed in /v1/messages (source `test`).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        attachments?: {
                            /** @description base64 */
                            content: string;
                            contentType?: string;
                            filename: string;
                        }[];
                        /** @description External ids of contacts and subjects, and subject group names. A subject reaches the contacts linked to it who receive mail about it; a group reaches its subjects. */
                        audience: {
                            contacts?: string[];
                            subjectGroups?: string[];
                            subjects?: string[];
                        };
                        /** @description announcement (default), invitation, alert or scheduled */
                        category?: string;
                        /** @description One email per contact covering all their subjects (siblings), instead of one per subject */
                        consolidate: boolean;
                        /** @description Reaches contacts who opted out of the category (never suppressed ones) */
                        essential: boolean;
                        /** @description Sanitised: scripts, event handlers and javascript: URLs removed */
                        html?: string;
                        /** @description Per-subject values for {{subject.<field>}}: { <subject externalId>: { field: value } } */
                        mergeData?: {
                            [key: string]: {
                                [key: string]: string;
                            };
                        };
                        /** @description Whose email to show; default: the contact reached through the most subjects */
                        recipient?: {
                            /** @description External id of a contact in the audience */
                            contact?: string;
                            /** @description Without consolidation, which of the contact's subjects (external id) the email is about */
                            subject?: string;
                        };
                        /**
                         * Format: date-time
                         * @description Default now; at most a year ahead
                         */
                        sendAt?: string;
                        /** @description May carry merge fields: {{contact.name}}, {{subject.name}} */
                        subject: string;
                        text?: string;
                        /** @description Add the tenant's signature */
                        useSignature?: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            messages: {
                                /** @description See GET /v1/messages/:id */
                                id: string;
                                to: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audience/sync": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sync contacts, subjects and links by external id (JSON, or NDJSON for large syncs)
         * @description Upserts by the tenant's external ids: a row replaces the stored fields; an unchanged row writes nothing, so the same sync twice answers all `unchanged` the second time. Contacts and subjects are applied before links. A row that cannot be applied is listed in `errors` (with its index or line) and the others still are. JSON: up to 5 MB. NDJSON (`Content-Type: application/x-ndjson`): one `{"type":"contact"|"subject"|"link", …row}` a line, lines up to 64 KB, bodies up to 200 MB (operator setting), streamed.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        contacts?: {
                            email?: string | null;
                            externalId: string;
                            name: string;
                        }[];
                        links?: {
                            contactExternalId: string;
                            /** @default true */
                            receivesMail?: boolean;
                            relationship?: string | null;
                            subjectExternalId: string;
                        }[];
                        subjects?: {
                            externalId: string;
                            /** @description Year, class, …; replaces the subject's groups */
                            groups?: string[];
                            name: string;
                        }[];
                    };
                    "application/x-ndjson": string;
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            contacts: {
                                created: number;
                                failed: number;
                                unchanged: number;
                                updated: number;
                            };
                            errorCount: number;
                            /** @description Rows not applied (the first 1,000) */
                            errors: {
                                /** @enum {string} */
                                code: "invalid_json" | "line_too_long" | "invalid_row" | "missing_field" | "invalid_field" | "unknown_field" | "unknown_contact" | "unknown_subject" | "deleted" | "invalid_email";
                                contactExternalId?: string | null;
                                externalId: string | null;
                                /** @description JSON: the row's index in its array, from 0 */
                                index?: number;
                                kind: ("contact" | "subject" | "link") | null;
                                /** @description NDJSON: the line number, from 1 */
                                line?: number;
                                message: string;
                                subjectExternalId?: string | null;
                            }[];
                            links: {
                                created: number;
                                failed: number;
                                unchanged: number;
                                updated: number;
                            };
                            subjects: {
                                created: number;
                                failed: number;
                                unchanged: number;
                                updated: number;
                            };
                            warningCount: number;
                            /** @description Contacts kept without an address because the one given is unusable (the first 1,000) */
                            warnings: {
                                /** @enum {string} */
                                code: "invalid_json" | "line_too_long" | "invalid_row" | "missing_field" | "invalid_field" | "unknown_field" | "unknown_contact" | "unknown_subject" | "deleted" | "invalid_email";
                                contactExternalId?: string | null;
                                externalId: string | null;
                                /** @description JSON: the row's index in its array, from 0 */
                                index?: number;
                                kind: ("contact" | "subject" | "link") | null;
                                /** @description NDJSON: the line number, from 1 */
                                line?: number;
                                message: string;
                                subjectExternalId?: string | null;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                415: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who changed money, mail or access, newest first (administrators) */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor from the previous page */
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                action: string;
                                actor: {
                                    id: string;
                                    /** @enum {string} */
                                    kind: "person" | "key";
                                    name: string;
                                };
                                /** Format: date-time */
                                at: string;
                                detail: string | null;
                                id: string;
                                target: string | null;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/contacts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's contacts, oldest first */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor from the previous page */
                    cursor?: string;
                    /** @description true: only contacts without a usable address; false: only those with one */
                    emailMissing?: boolean;
                    limit?: number;
                    /** @description Part of the name or address, any case */
                    search?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** Format: date-time */
                                createdAt: string;
                                email: string | null;
                                /** @description The address was corrected in Postbag; a sync giving the old value keeps the correction, a new value replaces it */
                                emailFixed: boolean;
                                emailGiven: string | null;
                                emailProblem: string | null;
                                externalId: string;
                                name: string;
                                /** Format: date-time */
                                updatedAt: string;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/contacts/{externalId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One contact by external id, with its subjects and preferences */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    externalId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            createdAt: string;
                            email: string | null;
                            /** @description The address was corrected in Postbag; a sync giving the old value keeps the correction, a new value replaces it */
                            emailFixed: boolean;
                            emailGiven: string | null;
                            emailProblem: string | null;
                            externalId: string;
                            links: {
                                receivesMail: boolean;
                                relationship: string | null;
                                subjectExternalId: string;
                                subjectName: string;
                            }[];
                            name: string;
                            preferences: {
                                digest: {
                                    /** @enum {string} */
                                    mode: "none" | "daily" | "weekly";
                                    time: string | null;
                                    weekday: number | null;
                                };
                                optOuts: {
                                    /** Format: date-time */
                                    at: string;
                                    category: string;
                                    /** @enum {string} */
                                    source: "link" | "one_click" | "api" | "feedback_report";
                                }[];
                            };
                            /** @description The 20 most recent emails for this contact, newest first */
                            recentMail: {
                                category: string;
                                /** Format: date-time */
                                createdAt: string;
                                lastText: string | null;
                                messageId: string;
                                recipientId: string;
                                /** @enum {string} */
                                status: "queued" | "sent" | "opened" | "soft_bounce" | "rejected" | "hard_bounce" | "spam" | "email_missing" | "opted_out" | "pending_digest" | "held_no_credit" | "cancelled";
                                subject: string;
                                /** Format: date-time */
                                updatedAt: string;
                            }[];
                            suppression: {
                                /** Format: date-time */
                                at: string;
                                /** @enum {string} */
                                reason: "hard_bounce" | "spam";
                            } | null;
                            /** Format: date-time */
                            updatedAt: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /**
         * Delete a contact (a leaver, a GDPR request)
         * @description The contact, their links and opt-outs are deleted; the name and address are erased from every email sent to them (reports keep the counts and show a deleted contact) and mail still waiting for them is cancelled. A tombstone keeps a later sync from recreating them: that row gets the error `deleted` unless it says `"restore": true`. Suppressions stay. Administrators and system keys only.
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    externalId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            deleted: true;
                            externalId: string;
                            /** @description Mail still waiting for them, cancelled */
                            recipientsCancelled: number;
                            /** @description Rows of sent or waiting mail whose name and address were erased */
                            recipientsErased: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /**
         * Correct a contact's address
         * @description For an address that bounced or was missing. The school's system stays the source: a later sync that gives the old value again keeps this correction; one that gives a new value replaces it. A suppressed address stays suppressed (see /v1/suppressions).
         */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    externalId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            createdAt: string;
                            email: string | null;
                            /** @description The address was corrected in Postbag; a sync giving the old value keeps the correction, a new value replaces it */
                            emailFixed: boolean;
                            emailGiven: string | null;
                            emailProblem: string | null;
                            externalId: string;
                            links: {
                                receivesMail: boolean;
                                relationship: string | null;
                                subjectExternalId: string;
                                subjectName: string;
                            }[];
                            name: string;
                            preferences: {
                                digest: {
                                    /** @enum {string} */
                                    mode: "none" | "daily" | "weekly";
                                    time: string | null;
                                    weekday: number | null;
                                };
                                optOuts: {
                                    /** Format: date-time */
                                    at: string;
                                    category: string;
                                    /** @enum {string} */
                                    source: "link" | "one_click" | "api" | "feedback_report";
                                }[];
                            };
                            /** @description The 20 most recent emails for this contact, newest first */
                            recentMail: {
                                category: string;
                                /** Format: date-time */
                                createdAt: string;
                                lastText: string | null;
                                messageId: string;
                                recipientId: string;
                                /** @enum {string} */
                                status: "queued" | "sent" | "opened" | "soft_bounce" | "rejected" | "hard_bounce" | "spam" | "email_missing" | "opted_out" | "pending_digest" | "held_no_credit" | "cancelled";
                                subject: string;
                                /** Format: date-time */
                                updatedAt: string;
                            }[];
                            suppression: {
                                /** Format: date-time */
                                at: string;
                                /** @enum {string} */
                                reason: "hard_bounce" | "spam";
                            } | null;
                            /** Format: date-time */
                            updatedAt: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/contacts/{externalId}/preferences": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Set a contact's opt-outs and digest choice
         * @description `optOuts` replaces the set of opted-out categories (kept ones keep their original record). `digest`: `none`; `daily` with `time`; `weekly` with `time` and `weekday`. Times are in the tenant's zone.
         */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    externalId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        digest?: {
                            /** @enum {string} */
                            mode: "none" | "daily" | "weekly";
                            /** @description HH:MM, required for daily and weekly */
                            time?: string;
                            /** @description 1 = Monday … 7 = Sunday, required for weekly */
                            weekday?: number;
                        };
                        /** @description The whole set of categories the contact does not want; others are opted back in */
                        optOuts?: ("announcement" | "scheduled" | "digest")[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            createdAt: string;
                            email: string | null;
                            /** @description The address was corrected in Postbag; a sync giving the old value keeps the correction, a new value replaces it */
                            emailFixed: boolean;
                            emailGiven: string | null;
                            emailProblem: string | null;
                            externalId: string;
                            links: {
                                receivesMail: boolean;
                                relationship: string | null;
                                subjectExternalId: string;
                                subjectName: string;
                            }[];
                            name: string;
                            preferences: {
                                digest: {
                                    /** @enum {string} */
                                    mode: "none" | "daily" | "weekly";
                                    time: string | null;
                                    weekday: number | null;
                                };
                                optOuts: {
                                    /** Format: date-time */
                                    at: string;
                                    category: string;
                                    /** @enum {string} */
                                    source: "link" | "one_click" | "api" | "feedback_report";
                                }[];
                            };
                            /** @description The 20 most recent emails for this contact, newest first */
                            recentMail: {
                                category: string;
                                /** Format: date-time */
                                createdAt: string;
                                lastText: string | null;
                                messageId: string;
                                recipientId: string;
                                /** @enum {string} */
                                status: "queued" | "sent" | "opened" | "soft_bounce" | "rejected" | "hard_bounce" | "spam" | "email_missing" | "opted_out" | "pending_digest" | "held_no_credit" | "cancelled";
                                subject: string;
                                /** Format: date-time */
                                updatedAt: string;
                            }[];
                            suppression: {
                                /** Format: date-time */
                                at: string;
                                /** @enum {string} */
                                reason: "hard_bounce" | "spam";
                            } | null;
                            /** Format: date-time */
                            updatedAt: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/credits": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's credit: this month's period, allowance, use, package balance and what is left */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description What can still be sent now: the package balance, or when that is smaller, what is left of the month's allowance after all counted mail this month. The allowance is not added to a package. */
                            available: number;
                            /** @description Days over the limit before grace turns hard */
                            graceDays: number;
                            /** @description Free credit each month; unused credit does not roll over */
                            monthlyAllowance: number;
                            /**
                             * @description What happens with nothing left: soft (keep sending, reminders), hard (counted mail is held), grace (as soft for graceDays, then hard)
                             * @enum {string}
                             */
                            overLimitPolicy: "soft" | "hard" | "grace";
                            /** @description Unexpired purchased or allocated credit left; spent before the allowance */
                            packageBalance: number;
                            /** @description The current month in the tenant's time zone, YYYY-MM */
                            period: string;
                            /**
                             * Format: date-time
                             * @description Local midnight on the 1st of the next month
                             */
                            periodEnd: string;
                            /**
                             * Format: date-time
                             * @description Local midnight on the 1st
                             */
                            periodStart: string;
                            /**
                             * @description low: 90% or more of what the tenant can send this month is used; over: nothing is left
                             * @enum {string}
                             */
                            state: "ok" | "low" | "over";
                            /** @description Counted emails charged this month, whatever paid for them (allowance, package, over the limit) */
                            usedThisPeriod: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/credits/ledger": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every credit movement of the tenant, newest first */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor from the previous page */
                    cursor?: string;
                    limit?: number;
                    /** @description Only this month */
                    period?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                actor: string | null;
                                /** @description Credits: negative when spent or taken, positive when bought or given */
                                amount: number;
                                /** Format: date-time */
                                at: string;
                                grantId: string | null;
                                id: string;
                                /** @description allowance_use, package_use, over_limit_use (one counted email each), refund (mail never sent), package_purchase, adjustment (by the operator), group_allocation */
                                kind: string;
                                note: string | null;
                                /** @description YYYY-MM the movement belongs to */
                                period: string;
                                recipientId: string | null;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/credits/low-credit-recipients": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's low-credit recipients (administrator keys only) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Who gets credit alerts and reminders besides every administrator with an email address */
                            recipients: string[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        /**
         * Replace the tenant's low-credit recipients (administrator keys only)
         * @description Each entry is a user id of this tenant (see /v1/users) or an email address; duplicates are dropped.
         */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Who gets credit alerts and reminders besides every administrator with an email address */
                        recipients: string[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Who gets credit alerts and reminders besides every administrator with an email address */
                            recipients: string[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/domains": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's sending domains with their records as last checked */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                checkedAt: string | null;
                                createdAt: string;
                                domain: string;
                                id: string;
                                records: {
                                    /** @description What DNS holds instead, when wrong */
                                    found: string[];
                                    /** @description Where to publish it */
                                    name: string;
                                    /** @enum {string} */
                                    purpose: "dkim" | "spf" | "dmarc";
                                    /** @description Only the DKIM record is required; SPF and DMARC are advice */
                                    required: boolean;
                                    /** @enum {string} */
                                    status: "ok" | "missing" | "wrong";
                                    /** @enum {string} */
                                    type: "TXT";
                                    /** @description What to publish */
                                    value: string;
                                }[];
                                selector: string;
                                /**
                                 * @description verified: the DKIM record is published; mail From the domain is signed with its key
                                 * @enum {string}
                                 */
                                status: "pending" | "verified" | "failed";
                                verifiedAt: string | null;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        /** Add a sending domain: Postbag makes its DKIM key and answers the records to publish */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        domain: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            checkedAt: string | null;
                            createdAt: string;
                            domain: string;
                            id: string;
                            records: {
                                /** @description What DNS holds instead, when wrong */
                                found: string[];
                                /** @description Where to publish it */
                                name: string;
                                /** @enum {string} */
                                purpose: "dkim" | "spf" | "dmarc";
                                /** @description Only the DKIM record is required; SPF and DMARC are advice */
                                required: boolean;
                                /** @enum {string} */
                                status: "ok" | "missing" | "wrong";
                                /** @enum {string} */
                                type: "TXT";
                                /** @description What to publish */
                                value: string;
                            }[];
                            selector: string;
                            /**
                             * @description verified: the DKIM record is published; mail From the domain is signed with its key
                             * @enum {string}
                             */
                            status: "pending" | "verified" | "failed";
                            verifiedAt: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/domains/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One sending domain */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            checkedAt: string | null;
                            createdAt: string;
                            domain: string;
                            id: string;
                            records: {
                                /** @description What DNS holds instead, when wrong */
                                found: string[];
                                /** @description Where to publish it */
                                name: string;
                                /** @enum {string} */
                                purpose: "dkim" | "spf" | "dmarc";
                                /** @description Only the DKIM record is required; SPF and DMARC are advice */
                                required: boolean;
                                /** @enum {string} */
                                status: "ok" | "missing" | "wrong";
                                /** @enum {string} */
                                type: "TXT";
                                /** @description What to publish */
                                value: string;
                            }[];
                            selector: string;
                            /**
                             * @description verified: the DKIM record is published; mail From the domain is signed with its key
                             * @enum {string}
                             */
                            status: "pending" | "verified" | "failed";
                            verifiedAt: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Remove a sending domain and its key; its mail goes From the operator's domain again */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/domains/{id}/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Check the domain's records in DNS now, record by record
         * @description verified when the DKIM record is ok. 409 domain_taken when another tenant has the domain verified; 503 when DNS does not answer.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            checkedAt: string | null;
                            createdAt: string;
                            domain: string;
                            id: string;
                            records: {
                                /** @description What DNS holds instead, when wrong */
                                found: string[];
                                /** @description Where to publish it */
                                name: string;
                                /** @enum {string} */
                                purpose: "dkim" | "spf" | "dmarc";
                                /** @description Only the DKIM record is required; SPF and DMARC are advice */
                                required: boolean;
                                /** @enum {string} */
                                status: "ok" | "missing" | "wrong";
                                /** @enum {string} */
                                type: "TXT";
                                /** @description What to publish */
                                value: string;
                            }[];
                            selector: string;
                            /**
                             * @description verified: the DKIM record is published; mail From the domain is signed with its key
                             * @enum {string}
                             */
                            status: "pending" | "verified" | "failed";
                            verifiedAt: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/inbox": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Mail read from the tenant's own mailbox, newest first: replies, bounces, auto-replies and the rest */
        get: {
            parameters: {
                query?: {
                    /** @description false: leave out bounces, delays, complaints and auto-replies; true: only those; absent: all */
                    automatic?: boolean;
                    /** @description nextCursor from the previous page */
                    cursor?: string;
                    kind?: "reply" | "bounce" | "delay" | "complaint" | "auto_reply" | "other";
                    limit?: number;
                    /** @description Found in the sender, the subject or the text */
                    search?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                attachmentCount: number;
                                contactId: string | null;
                                fromAddress: string | null;
                                fromName: string | null;
                                id: string;
                                /**
                                 * @description reply: answers one of our messages; bounce, delay, complaint: a report about one; auto_reply: an out-of-office; other: anything else
                                 * @enum {string}
                                 */
                                kind: "reply" | "bounce" | "delay" | "complaint" | "auto_reply" | "other";
                                messageId: string | null;
                                /**
                                 * Format: date-time
                                 * @description When Postbag read it from the mailbox
                                 */
                                receivedAt: string;
                                recipientId: string | null;
                                sentAt: string | null;
                                size: number;
                                subject: string | null;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/inbox/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One inbound message: text, sanitised HTML, what it answers, its attachments */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            attachmentCount: number;
                            attachments: {
                                contentType: string;
                                filename: string;
                                position: number;
                                size: number;
                            }[];
                            contact: {
                                email: string | null;
                                externalId: string;
                                id: string;
                                name: string;
                            } | null;
                            contactId: string | null;
                            fromAddress: string | null;
                            fromName: string | null;
                            html: string | null;
                            id: string;
                            /**
                             * @description reply: answers one of our messages; bounce, delay, complaint: a report about one; auto_reply: an out-of-office; other: anything else
                             * @enum {string}
                             */
                            kind: "reply" | "bounce" | "delay" | "complaint" | "auto_reply" | "other";
                            message: {
                                createdAt: string;
                                id: string;
                                subject: string;
                            } | null;
                            messageId: string | null;
                            messageIdHeader: string | null;
                            /**
                             * Format: date-time
                             * @description When Postbag read it from the mailbox
                             */
                            receivedAt: string;
                            recipient: {
                                email: string;
                                id: string;
                                status: string;
                            } | null;
                            recipientId: string | null;
                            /** @description The HTML has images from elsewhere; /body?images=true shows them, /body alone blocks them */
                            remoteImages: boolean;
                            sentAt: string | null;
                            size: number;
                            subject: string | null;
                            text: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/inbox/{id}/attachments/{position}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Downloads one attachment of an inbound message (always as a download, never shown inline)
         * @description 403 attachments_not_allowed when the school turned off opening received attachments (`openReceivedAttachments` in the settings wizard).
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                    position: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The attachment's bytes */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": string;
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/inbox/{id}/body": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * One inbound message as a page to read in a sandboxed frame; images from elsewhere only when asked
         * @description Sanitised HTML (or the text) in a document of its own whose Content-Security-Policy runs nothing, loads nothing from elsewhere unless `images=true` (then https images only), and sandboxes the page.
         */
        get: {
            parameters: {
                query?: {
                    images?: boolean;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description text/html */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": string;
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/invitations/{token}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What an invitation is for (spends nothing) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    token: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            email: string;
                            name: string;
                            operator: boolean;
                            role: string | null;
                            tenantName: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/invitations/accept": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Accept an invitation: your name and password (spends it); signs in */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        password: string;
                        token: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            activeTenantId: string | null;
                            csrfToken: string;
                            /** Format: date-time */
                            expiresAt: string;
                            memberships: {
                                /** @enum {string} */
                                role: "administrator" | "staff";
                                tenantId: string;
                                tenantName: string;
                                timezone: string;
                            }[];
                            operator: boolean;
                            person: {
                                email: string;
                                id: string;
                                name: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The school's API keys, newest first, with who created each and when it was last used */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor from the previous page */
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** Format: date-time */
                                createdAt: string;
                                createdBy: {
                                    id: string;
                                    /** @enum {string} */
                                    kind: "person" | "key";
                                    name: string;
                                } | null;
                                id: string;
                                lastUsedAt: string | null;
                                name: string;
                                revokedAt: string | null;
                                role: string;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        /** Create an API key for the school; the key is shown only in this answer */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name?: string;
                        /** @enum {string} */
                        role: "system" | "staff" | "administrator";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            createdAt: string;
                            createdBy: {
                                id: string;
                                /** @enum {string} */
                                kind: "person" | "key";
                                name: string;
                            } | null;
                            id: string;
                            /** @description Shown only here */
                            key: string;
                            lastUsedAt: string | null;
                            name: string;
                            revokedAt: string | null;
                            role: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke one of the school's keys: refused from the next request on */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Change your password; your other sessions end */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        currentPassword: string;
                        newPassword: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Messages, newest first, filtered by recipient status, category and time */
        get: {
            parameters: {
                query?: {
                    category?: "announcement" | "invitation" | "password_reset_parent" | "password_reset_system" | "alert" | "scheduled" | "digest" | "notice";
                    /** @description nextCursor from the previous page */
                    cursor?: string;
                    limit?: number;
                    /** @description Accepted at or after (ISO 8601) */
                    since?: string;
                    status?: "queued" | "sent" | "opened" | "soft_bounce" | "rejected" | "hard_bounce" | "spam" | "email_missing" | "opted_out" | "pending_digest" | "held_no_credit" | "cancelled";
                    /** @description Accepted before (ISO 8601) */
                    until?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                category: string;
                                /** Format: date-time */
                                createdAt: string;
                                from: string;
                                id: string;
                                messageId: string;
                                /** @description All recipients of the message (to, cc and bcc) */
                                recipientCount: number;
                                /** @description Recipients per current status. Only statuses that at least one recipient has appear; a missing status means 0. GET /v1/messages/{id} lists the recipients themselves. */
                                statusCounts: {
                                    cancelled?: number;
                                    email_missing?: number;
                                    hard_bounce?: number;
                                    held_no_credit?: number;
                                    opened?: number;
                                    opted_out?: number;
                                    pending_digest?: number;
                                    queued?: number;
                                    rejected?: number;
                                    sent?: number;
                                    soft_bounce?: number;
                                    spam?: number;
                                };
                                subject: string;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        /**
         * Accept a message for delivery
         * @description Answers 202 once the message is committed. Repeating a request with the same Idempotency-Key returns the original message instead of sending twice.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        attachments?: {
                            /** @description base64 */
                            content: string;
                            contentType?: string;
                            filename: string;
                        }[];
                        bcc?: (string | {
                            /** @description Missing: recorded as email_missing */
                            email?: string | null;
                            name?: string;
                        })[];
                        /** @description One of: announcement, invitation, password_reset_parent, password_reset_system, alert, scheduled, digest */
                        category: string;
                        cc?: (string | {
                            /** @description Missing: recorded as email_missing */
                            email?: string | null;
                            name?: string;
                        })[];
                        from?: string | {
                            /** @description Missing: recorded as email_missing */
                            email?: string | null;
                            name?: string;
                        };
                        /** @description Extra X- headers */
                        headers?: {
                            [key: string]: string;
                        };
                        html?: string;
                        replyTo?: string | {
                            /** @description Missing: recorded as email_missing */
                            email?: string | null;
                            name?: string;
                        };
                        subject: string;
                        text?: string;
                        to: (string | {
                            /** @description Missing: recorded as email_missing */
                            email?: string | null;
                            name?: string;
                        })[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            recipients: {
                                email: string | null;
                                /** @enum {string} */
                                status: "queued" | "sent" | "opened" | "soft_bounce" | "rejected" | "hard_bounce" | "spam" | "email_missing" | "opted_out" | "pending_digest" | "held_no_credit" | "cancelled";
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/messages/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A message with each recipient's status and event history */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            attachments: {
                                contentType: string;
                                filename: string;
                                size: number;
                            }[];
                            category: string;
                            /** Format: date-time */
                            createdAt: string;
                            from: string;
                            id: string;
                            messageId: string;
                            recipients: {
                                attempts: number;
                                email: string | null;
                                events: {
                                    /** Format: date-time */
                                    at: string;
                                    attempt: number;
                                    enhancedCode: string | null;
                                    reason: ("user_unknown" | "mailbox_disabled" | "mailbox_full" | "host_unknown" | "sender_rejected" | "relaying_denied" | "auth_failure" | "policy" | "blocked" | "spam_detected" | "virus_detected" | "content_rejected" | "message_too_big" | "rate_limited" | "expired" | "network_error" | "system_error" | "other") | null;
                                    smtpCode: number | null;
                                    smtpText: string | null;
                                    status: string;
                                }[];
                                id: string;
                                kind: string;
                                lastReason: ("user_unknown" | "mailbox_disabled" | "mailbox_full" | "host_unknown" | "sender_rejected" | "relaying_denied" | "auth_failure" | "policy" | "blocked" | "spam_detected" | "virus_detected" | "content_rejected" | "message_too_big" | "rate_limited" | "expired" | "network_error" | "system_error" | "other") | null;
                                lastSmtpCode: number | null;
                                lastSmtpText: string | null;
                                name: string | null;
                                nextAttemptAt: string | null;
                                status: string;
                                /** Format: date-time */
                                updatedAt: string;
                            }[];
                            subject: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/messages/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Stop a message that has not gone out yet
         * @description Every recipient still waiting (for instance held for the tenant's hold time) becomes `cancelled` and is never sent. Recipients already being sent or sent are listed in `notCancelled`; if none could be cancelled the answer is 409 with them in `details`.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            alreadyCancelled: {
                                email: string | null;
                                id: string;
                            }[];
                            cancelled: {
                                email: string | null;
                                id: string;
                            }[];
                            id: string;
                            notCancelled: {
                                email: string | null;
                                id: string;
                                /** @description `sending`: a worker is sending it now; `status`: past the point of stopping */
                                reason: string;
                                status: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/credit-settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The credit rules for every tenant: default allowance, categories, default policy */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Never held, whatever the policy */
                            criticalCategories: string[];
                            defaultAllowance: number;
                            defaultGraceDays: number;
                            /**
                             * @description soft: keep sending and remind; hard: hold counted mail at 0 credit; grace: hard after graceDays over
                             * @enum {string}
                             */
                            defaultPolicy: "soft" | "hard" | "grace";
                            /** @description Never counted */
                            exemptCategories: string[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        /**
         * Change the credit rules for every tenant; absent fields are kept
         * @description Mail held for lack of credit is released afterwards: metering decides again for each.
         */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        criticalCategories?: ("announcement" | "invitation" | "password_reset_parent" | "password_reset_system" | "alert" | "scheduled" | "digest" | "notice")[];
                        defaultAllowance?: number;
                        defaultGraceDays?: number;
                        /**
                         * @description soft: keep sending and remind; hard: hold counted mail at 0 credit; grace: hard after graceDays over
                         * @enum {string}
                         */
                        defaultPolicy?: "soft" | "hard" | "grace";
                        exemptCategories?: ("announcement" | "invitation" | "password_reset_parent" | "password_reset_system" | "alert" | "scheduled" | "digest" | "notice")[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Never held, whatever the policy */
                            criticalCategories: string[];
                            defaultAllowance: number;
                            defaultGraceDays: number;
                            /**
                             * @description soft: keep sending and remind; hard: hold counted mail at 0 credit; grace: hard after graceDays over
                             * @enum {string}
                             */
                            defaultPolicy: "soft" | "hard" | "grace";
                            /** @description Never counted */
                            exemptCategories: string[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/groups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** All groups, oldest first */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor from the previous page */
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** Format: date-time */
                                createdAt: string;
                                id: string;
                                name: string;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        /** Create a group of tenants */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            createdAt: string;
                            id: string;
                            name: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/groups/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A group: its bundle balance, its tenants and its allocations */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The newest 100 allocations, newest first */
                            allocations: {
                                /** Format: date-time */
                                at: string;
                                credits: number;
                                grantId: string | null;
                                id: string;
                                note: string | null;
                                tenantId: string;
                            }[];
                            /** @description Bundle credit not yet allocated */
                            bundleBalance: number;
                            /** Format: date-time */
                            createdAt: string;
                            id: string;
                            name: string;
                            tenants: {
                                /** @description All credit allocated to it from this group */
                                allocated: number;
                                id: string;
                                name: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/groups/{id}/allocations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Move credit from a group's bundle to one of its tenants
         * @description The tenant must be in the group, and the bundle must hold the credits (409 conflict otherwise). Mail the tenant has held for lack of credit is released.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        credits: number;
                        note?: string;
                        tenantId: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The newest 100 allocations, newest first */
                            allocations: {
                                /** Format: date-time */
                                at: string;
                                credits: number;
                                grantId: string | null;
                                id: string;
                                note: string | null;
                                tenantId: string;
                            }[];
                            /** @description Bundle credit not yet allocated */
                            bundleBalance: number;
                            /** Format: date-time */
                            createdAt: string;
                            id: string;
                            name: string;
                            tenants: {
                                /** @description All credit allocated to it from this group */
                                allocated: number;
                                id: string;
                                name: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/groups/{id}/ledger": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The group's ledger, newest first: top-ups of its bundle and what each allocation took */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor from the previous page */
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                actor: string | null;
                                /** @description Credits: negative when spent or taken, positive when bought or given */
                                amount: number;
                                /** Format: date-time */
                                at: string;
                                grantId: string | null;
                                id: string;
                                /** @description allowance_use, package_use, over_limit_use (one counted email each), refund (mail never sent), package_purchase, adjustment (by the operator), group_allocation */
                                kind: string;
                                note: string | null;
                                /** @description YYYY-MM the movement belongs to */
                                period: string;
                                recipientId: string | null;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/groups/{id}/top-ups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Add credit to a group's bundle */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        credits: number;
                        note: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The newest 100 allocations, newest first */
                            allocations: {
                                /** Format: date-time */
                                at: string;
                                credits: number;
                                grantId: string | null;
                                id: string;
                                note: string | null;
                                tenantId: string;
                            }[];
                            /** @description Bundle credit not yet allocated */
                            bundleBalance: number;
                            /** Format: date-time */
                            createdAt: string;
                            id: string;
                            name: string;
                            tenants: {
                                /** @description All credit allocated to it from this group */
                                allocated: number;
                                id: string;
                                name: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The bounce mailbox's last poll and the relay's recent delivery errors */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            bounceMailbox: {
                                /** @description POSTBAG_BOUNCE_MAILBOX_URL is set */
                                configured: boolean;
                                lastError: string | null;
                                lastPollAt: string | null;
                                nextPollAt: string | null;
                            };
                            /** @description The newest 50 failed attempts through the relay in the last 7 days, newest first */
                            relayErrors: {
                                /** Format: date-time */
                                at: string;
                                enhancedCode: string | null;
                                reason: string | null;
                                recipientId: string;
                                smtpCode: number | null;
                                /** @description soft_bounce, hard_bounce or rejected */
                                status: string;
                                tenantId: string;
                                tenantName: string;
                                text: string | null;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke any key, a tenant's or an operator's: refused from the next request on */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/packages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The whole catalogue, including packages taken off sale */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor from the previous page */
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** @description On sale */
                                active: boolean;
                                /** Format: date-time */
                                createdAt: string;
                                credits: number;
                                expiresInDays: number | null;
                                id: string;
                                name: string;
                                price: {
                                    /** @description In the currency's major unit (25.5 is 25.50) */
                                    amount: number;
                                    /** @description ISO 4217 */
                                    currency: string;
                                } | null;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        /** Add a package to the catalogue */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        credits: number;
                        /** @description What is left expires this many days after purchase; absent or null: never */
                        expiresInDays?: number | null;
                        name: string;
                        price?: {
                            amount: number;
                            /** @description ISO 4217, such as EUR or GBP */
                            currency: string;
                        } | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description On sale */
                            active: boolean;
                            /** Format: date-time */
                            createdAt: string;
                            credits: number;
                            expiresInDays: number | null;
                            id: string;
                            name: string;
                            price: {
                                /** @description In the currency's major unit (25.5 is 25.50) */
                                amount: number;
                                /** @description ISO 4217 */
                                currency: string;
                            } | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/packages/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Take a package off sale; credit already bought stays with the tenants */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description On sale */
                            active: boolean;
                            /** Format: date-time */
                            createdAt: string;
                            credits: number;
                            expiresInDays: number | null;
                            id: string;
                            name: string;
                            price: {
                                /** @description In the currency's major unit (25.5 is 25.50) */
                                amount: number;
                                /** @description ISO 4217 */
                                currency: string;
                            } | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Set or clear a package's price (shown to tenants in GET /v1/packages) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        price: {
                            amount: number;
                            /** @description ISO 4217, such as EUR or GBP */
                            currency: string;
                        } | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description On sale */
                            active: boolean;
                            /** Format: date-time */
                            createdAt: string;
                            credits: number;
                            expiresInDays: number | null;
                            id: string;
                            name: string;
                            price: {
                                /** @description In the currency's major unit (25.5 is 25.50) */
                                amount: number;
                                /** @description ISO 4217 */
                                currency: string;
                            } | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/operator/queue": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The outbox across all tenants: waiting, in flight, delayed, per tenant */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Waiting longer than POSTBAG_DELAYED_AFTER_MINUTES (suspended tenants' mail not counted) */
                            delayed: number;
                            delayedTenants: {
                                delayed: number;
                                tenantId: string;
                            }[];
                            /** @description Of those, held by a worker now */
                            inFlight: number;
                            oldestWaitingSince: string | null;
                            /** @description Of those waiting, held because their tenant is suspended */
                            suspended: number;
                            /** @description Tenants with waiting mail, most waiting first (at most 20) */
                            tenants: {
                                delayed: number;
                                inFlight: number;
                                suspended: number;
                                tenantId: string;
                                tenantName: string;
                                waiting: number;
                            }[];
                            /** @description Recipients queued or retrying */
                            waiting: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/reports/over-limit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Tenants over their credit limit in a month
         * @description Over the limit: the tenant needed credit it did not have, or sent more counted mail than its allowance without package credit. A page may hold fewer than `limit` items and still have a next one.
         */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor from the previous page */
                    cursor?: string;
                    limit?: number;
                    /** @description YYYY-MM; default: each tenant's current month in its own time zone */
                    month?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** @description The tenant's monthly allowance (as set now) */
                                allowance: number;
                                /** @description Counted mail charged this month, whatever paid for it */
                                counted: number;
                                lastContactedAt: string | null;
                                lastReminderAt: string | null;
                                /** @description YYYY-MM in the tenant's time zone */
                                month: string;
                                /** @description When the tenant first needed credit it did not have this month */
                                overSince: string | null;
                                tenantId: string;
                                tenantName: string;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/reports/repeat-offenders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Tenants over their credit limit in two or more consecutive months
         * @description Looks at each tenant's current month and the months before it, in the tenant's time zone. A page may hold fewer than `limit` items and still have a next one.
         */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor from the previous page */
                    cursor?: string;
                    limit?: number;
                    /** @description Months to look back over */
                    months?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                lastContactedAt: string | null;
                                /** @description The months of that run, oldest first */
                                months: string[];
                                /** @description Every month over the limit in the window, oldest first */
                                overMonths: string[];
                                /** @description Longest run of consecutive months over the limit */
                                run: number;
                                tenantId: string;
                                tenantName: string;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/tenants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** All tenants */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor from the previous page */
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** Format: date-time */
                                createdAt: string;
                                groupId: string | null;
                                id: string;
                                name: string;
                                pendingTimezone: string | null;
                                sendingMode: string;
                                suspendedAt: string | null;
                                suspendedNote: string | null;
                                timezone: string;
                                timezoneEffectiveFrom: string | null;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        /** Create a tenant */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        /** @description IANA zone; default Europe/London */
                        timezone?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            createdAt: string;
                            groupId: string | null;
                            id: string;
                            name: string;
                            pendingTimezone: string | null;
                            sendingMode: string;
                            suspendedAt: string | null;
                            suspendedNote: string | null;
                            timezone: string;
                            timezoneEffectiveFrom: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/tenants/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One tenant as the operator sees it: credit, rules, outbox, administrators, notices */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            administrators: {
                                email: string | null;
                                name: string;
                            }[];
                            credits: {
                                /** @description What can still be sent now: the package balance, or when that is smaller, what is left of the month's allowance after all counted mail this month. The allowance is not added to a package. */
                                available: number;
                                /** @description Days over the limit before grace turns hard */
                                graceDays: number;
                                /** @description Free credit each month; unused credit does not roll over */
                                monthlyAllowance: number;
                                /**
                                 * @description What happens with nothing left: soft (keep sending, reminders), hard (counted mail is held), grace (as soft for graceDays, then hard)
                                 * @enum {string}
                                 */
                                overLimitPolicy: "soft" | "hard" | "grace";
                                /** @description Unexpired purchased or allocated credit left; spent before the allowance */
                                packageBalance: number;
                                /** @description The current month in the tenant's time zone, YYYY-MM */
                                period: string;
                                /**
                                 * Format: date-time
                                 * @description Local midnight on the 1st of the next month
                                 */
                                periodEnd: string;
                                /**
                                 * Format: date-time
                                 * @description Local midnight on the 1st
                                 */
                                periodStart: string;
                                /**
                                 * @description low: 90% or more of what the tenant can send this month is used; over: nothing is left
                                 * @enum {string}
                                 */
                                state: "ok" | "low" | "over";
                                /** @description Counted emails charged this month, whatever paid for them (allowance, package, over the limit) */
                                usedThisPeriod: number;
                            };
                            creditSettings: {
                                /** @description The overrides with the operator's defaults filling the gaps */
                                effective: {
                                    graceDays: number;
                                    monthlyAllowance: number;
                                    /**
                                     * @description soft: keep sending and remind; hard: hold counted mail at 0 credit; grace: hard after graceDays over
                                     * @enum {string}
                                     */
                                    overLimitPolicy: "soft" | "hard" | "grace";
                                };
                                graceDays: number | null;
                                lowCreditRecipients: string[];
                                monthlyAllowance: number | null;
                                overLimitPolicy: ("soft" | "hard" | "grace") | null;
                                tenantId: string;
                            };
                            group: {
                                id: string;
                                name: string;
                            } | null;
                            /** @description The newest 20 notices the operator sent, newest first */
                            notices: {
                                /** Format: date-time */
                                at: string;
                                id: string;
                                /** @description How many administrators it went to */
                                recipients: number;
                                /** @description The operator (person or key) who sent it */
                                sentBy: string;
                                subject: string;
                                /** @description over_limit or repeat_offender */
                                template: string;
                                tenantId: string;
                                /** @description The notice as the administrators received it */
                                text: string;
                            }[];
                            queue: {
                                delayed: number;
                                /** @description Held for lack of credit */
                                heldNoCredit: number;
                                inFlight: number;
                                /** @description Held because the tenant is suspended */
                                suspended: number;
                                waiting: number;
                            };
                            tenant: {
                                /** Format: date-time */
                                createdAt: string;
                                groupId: string | null;
                                id: string;
                                name: string;
                                pendingTimezone: string | null;
                                sendingMode: string;
                                suspendedAt: string | null;
                                suspendedNote: string | null;
                                timezone: string;
                                timezoneEffectiveFrom: string | null;
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Rename a tenant or change its time zone (from its next credit period)
         * @description An absent field is kept. A new time zone takes effect from the 1st of the tenant's next month (pendingTimezone until then); the current zone cancels a pending change.
         */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name?: string;
                        timezone?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            createdAt: string;
                            groupId: string | null;
                            id: string;
                            name: string;
                            pendingTimezone: string | null;
                            sendingMode: string;
                            suspendedAt: string | null;
                            suspendedNote: string | null;
                            timezone: string;
                            timezoneEffectiveFrom: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/operator/tenants/{id}/adjustments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Give (positive) or take (negative) a tenant's credit, with a note
         * @description Taking comes out of the tenant's purchased and allocated credit, soonest to expire first, and never below zero (409 conflict). The free allowance is not a balance and cannot be taken.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        credits: number;
                        /** @description Why: shown in the tenant's ledger */
                        note: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            credits: number;
                            /** @description The grant a positive adjustment made */
                            grantId: string | null;
                            /** @description What a negative adjustment took from each grant */
                            taken: {
                                credits: number;
                                grantId: string;
                            }[];
                            tenantId: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/tenants/{id}/credit-settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A tenant's credit overrides and the rules that apply to it */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The overrides with the operator's defaults filling the gaps */
                            effective: {
                                graceDays: number;
                                monthlyAllowance: number;
                                /**
                                 * @description soft: keep sending and remind; hard: hold counted mail at 0 credit; grace: hard after graceDays over
                                 * @enum {string}
                                 */
                                overLimitPolicy: "soft" | "hard" | "grace";
                            };
                            graceDays: number | null;
                            lowCreditRecipients: string[];
                            monthlyAllowance: number | null;
                            overLimitPolicy: ("soft" | "hard" | "grace") | null;
                            tenantId: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        /**
         * Override a tenant's allowance, policy, grace days or low-credit recipients
         * @description An absent field is kept; null clears the override (the operator's default applies again). Mail the tenant has held for lack of credit is released afterwards.
         */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        graceDays?: number | null;
                        lowCreditRecipients?: string[] | null;
                        monthlyAllowance?: number | null;
                        overLimitPolicy?: ("soft" | "hard" | "grace") | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The overrides with the operator's defaults filling the gaps */
                            effective: {
                                graceDays: number;
                                monthlyAllowance: number;
                                /**
                                 * @description soft: keep sending and remind; hard: hold counted mail at 0 credit; grace: hard after graceDays over
                                 * @enum {string}
                                 */
                                overLimitPolicy: "soft" | "hard" | "grace";
                            };
                            graceDays: number | null;
                            lowCreditRecipients: string[];
                            monthlyAllowance: number | null;
                            overLimitPolicy: ("soft" | "hard" | "grace") | null;
                            tenantId: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/tenants/{id}/group": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Put a tenant in a group, or take it out (null) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        groupId: string | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            groupId: string | null;
                            tenantId: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/tenants/{id}/invitations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Invite a person to a tenant with a role (a new school's first administrator, say) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email: string;
                        name?: string;
                        /** @enum {string} */
                        role: "administrator" | "staff";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            expiresAt: string;
                            invitationUrl: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/tenants/{id}/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create an API key for a tenant (the key is shown once) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name?: string;
                        /** @enum {string} */
                        role?: "system" | "staff" | "administrator";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            key: string;
                            role: string;
                            tenantId: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/tenants/{id}/notices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The notices the operator sent a school, newest first */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor from the previous page */
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** Format: date-time */
                                at: string;
                                id: string;
                                /** @description How many administrators it went to */
                                recipients: number;
                                /** @description The operator (person or key) who sent it */
                                sentBy: string;
                                subject: string;
                                /** @description over_limit or repeat_offender */
                                template: string;
                                tenantId: string;
                                /** @description The notice as the administrators received it */
                                text: string;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        /**
         * Contact a school: send its administrators a templated notice from the operator
         * @description over_limit: the school is over its limit this month; repeat_offender: over in two or more months running (409 conflict when the report does not say so, or the school has no administrator with an email address). The notice goes to each administrator as Postbag's own mail and is recorded on the tenant (GET /v1/operator/tenants/:id/notices).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description The operator's own words, added to the notice */
                        message?: string;
                        /** @enum {string} */
                        template: "over_limit" | "repeat_offender";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            at: string;
                            id: string;
                            /** @description How many administrators it went to */
                            recipients: number;
                            /** @description The operator (person or key) who sent it */
                            sentBy: string;
                            subject: string;
                            /** @description over_limit or repeat_offender */
                            template: string;
                            tenantId: string;
                            /** @description The notice as the administrators received it */
                            text: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/tenants/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resume a suspended tenant: its keys and people work again, its held mail goes
         * @description Mail held by the suspension is due again at the time it was due before (now, if that has passed). Resuming a tenant that is not suspended changes nothing.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            released: number;
                            tenant: {
                                /** Format: date-time */
                                createdAt: string;
                                groupId: string | null;
                                id: string;
                                name: string;
                                pendingTimezone: string | null;
                                sendingMode: string;
                                suspendedAt: string | null;
                                suspendedNote: string | null;
                                timezone: string;
                                timezoneEffectiveFrom: string | null;
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/operator/tenants/{id}/suspend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Suspend a tenant: its keys and people are refused, its mail is held
         * @description From the next request on, the tenant's API keys and console sessions get 403 tenant_suspended and SMTP submission refuses its keys. Its queued and scheduled mail is held with the hold reason `suspended`: nothing is sent and nothing deleted. Suspending a suspended tenant changes nothing.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Why (kept on the tenant) */
                        note?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            held: number;
                            tenant: {
                                /** Format: date-time */
                                createdAt: string;
                                groupId: string | null;
                                id: string;
                                name: string;
                                pendingTimezone: string | null;
                                sendingMode: string;
                                suspendedAt: string | null;
                                suspendedNote: string | null;
                                timezone: string;
                                timezoneEffectiveFrom: string | null;
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/packages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The packages of credit the tenant can buy */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor from the previous page */
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** @description On sale */
                                active: boolean;
                                /** Format: date-time */
                                createdAt: string;
                                credits: number;
                                expiresInDays: number | null;
                                id: string;
                                name: string;
                                price: {
                                    /** @description In the currency's major unit (25.5 is 25.50) */
                                    amount: number;
                                    /** @description ISO 4217 */
                                    currency: string;
                                } | null;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/packages/{id}/purchase": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Buy a package (administrator keys only); answers the new balance
         * @description Records the purchase with the key that made it (payment is outside Postbag). Purchased credit is spent before the month's allowance and is not added to it. Mail held for lack of credit is released.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    /** @description Retrying with the same key buys once */
                    "idempotency-key"?: string;
                };
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description What can still be sent now: the package balance, or when that is smaller, what is left of the month's allowance after all counted mail this month. The allowance is not added to a package. */
                            available: number;
                            /** @description Days over the limit before grace turns hard */
                            graceDays: number;
                            /** @description Free credit each month; unused credit does not roll over */
                            monthlyAllowance: number;
                            /**
                             * @description What happens with nothing left: soft (keep sending, reminders), hard (counted mail is held), grace (as soft for graceDays, then hard)
                             * @enum {string}
                             */
                            overLimitPolicy: "soft" | "hard" | "grace";
                            /** @description Unexpired purchased or allocated credit left; spent before the allowance */
                            packageBalance: number;
                            /** @description The current month in the tenant's time zone, YYYY-MM */
                            period: string;
                            /**
                             * Format: date-time
                             * @description Local midnight on the 1st of the next month
                             */
                            periodEnd: string;
                            /**
                             * Format: date-time
                             * @description Local midnight on the 1st
                             */
                            periodStart: string;
                            /**
                             * @description low: 90% or more of what the tenant can send this month is used; over: nothing is left
                             * @enum {string}
                             */
                            state: "ok" | "low" | "over";
                            /** @description Counted emails charged this month, whatever paid for them (allowance, package, over the limit) */
                            usedThisPeriod: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/password-resets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mail a password reset link */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/password-resets/redeem": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Choose a new password with the token of a reset link (spends it); signs in */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        password: string;
                        token: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            activeTenantId: string | null;
                            csrfToken: string;
                            /** Format: date-time */
                            expiresAt: string;
                            memberships: {
                                /** @enum {string} */
                                role: "administrator" | "staff";
                                tenantId: string;
                                tenantName: string;
                                timezone: string;
                            }[];
                            operator: boolean;
                            person: {
                                email: string;
                                id: string;
                                name: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/people": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The school's people and their roles (administrators) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                email: string;
                                id: string;
                                /** @description Invited and has not accepted yet */
                                invitedPending: boolean;
                                lastSignInAt: string | null;
                                name: string;
                                /** @enum {string} */
                                role: "administrator" | "staff";
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/people/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a person from the school; their sessions end at once (administrators) */
        delete: {
            parameters: {
                query?: {
                    /** @description Also revoke the school's API keys they created */
                    revokeKeys?: boolean;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Change a person's role in the school (administrators) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        role: "administrator" | "staff";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            email: string;
                            id: string;
                            /** @description Invited and has not accepted yet */
                            invitedPending: boolean;
                            lastSignInAt: string | null;
                            name: string;
                            /** @enum {string} */
                            role: "administrator" | "staff";
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/people/invitations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Invite a person by email with a role; answers the invitation URL to copy (administrators) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email: string;
                        name?: string;
                        /** @enum {string} */
                        role: "administrator" | "staff";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            expiresAt: string;
                            invitationUrl: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/reports/overview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Mail sent a week at a time, per local day and category, with the credit balance
         * @description Days are calendar days in the tenant's time zone (23 or 25 hours long on a daylight-saving change). Mail counts on the day it was sent. The balance is the credit now, whichever week is shown.
         */
        get: {
            parameters: {
                query?: {
                    /** @description ISO week, e.g. 2026-W13; default: the current week */
                    week?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            balance: {
                                /** @description What can still be sent now: the package balance, or when that is smaller, what is left of the month's allowance after all counted mail this month. The allowance is not added to a package. */
                                available: number;
                                /** @description Days over the limit before grace turns hard */
                                graceDays: number;
                                /** @description Free credit each month; unused credit does not roll over */
                                monthlyAllowance: number;
                                /**
                                 * @description What happens with nothing left: soft (keep sending, reminders), hard (counted mail is held), grace (as soft for graceDays, then hard)
                                 * @enum {string}
                                 */
                                overLimitPolicy: "soft" | "hard" | "grace";
                                /** @description Unexpired purchased or allocated credit left; spent before the allowance */
                                packageBalance: number;
                                /** @description The current month in the tenant's time zone, YYYY-MM */
                                period: string;
                                /**
                                 * Format: date-time
                                 * @description Local midnight on the 1st of the next month
                                 */
                                periodEnd: string;
                                /**
                                 * Format: date-time
                                 * @description Local midnight on the 1st
                                 */
                                periodStart: string;
                                /**
                                 * @description low: 90% or more of what the tenant can send this month is used; over: nothing is left
                                 * @enum {string}
                                 */
                                state: "ok" | "low" | "over";
                                /** @description Counted emails charged this month, whatever paid for them (allowance, package, over the limit) */
                                usedThisPeriod: number;
                            };
                            days: {
                                /** @description Recipients sent per message category; a missing category means 0 */
                                byCategory: {
                                    alert?: number;
                                    announcement?: number;
                                    digest?: number;
                                    invitation?: number;
                                    notice?: number;
                                    password_reset_parent?: number;
                                    password_reset_system?: number;
                                    scheduled?: number;
                                };
                                /** @description Of those, charged to credit (allowance, over the limit or package) */
                                counted: number;
                                /** Format: date */
                                date: string;
                                /** @description Recipients sent in the day (the week, in totals), whatever their status now */
                                total: number;
                                /** @description Of those, free: exempt categories and Postbag's own notices */
                                uncounted: number;
                            }[];
                            timezone: string;
                            totals: {
                                /** @description Recipients sent per message category; a missing category means 0 */
                                byCategory: {
                                    alert?: number;
                                    announcement?: number;
                                    digest?: number;
                                    invitation?: number;
                                    notice?: number;
                                    password_reset_parent?: number;
                                    password_reset_system?: number;
                                    scheduled?: number;
                                };
                                /** @description Of those, charged to credit (allowance, over the limit or package) */
                                counted: number;
                                /** @description Recipients sent in the day (the week, in totals), whatever their status now */
                                total: number;
                                /** @description Of those, free: exempt categories and Postbag's own notices */
                                uncounted: number;
                            };
                            /** @description ISO week, YYYY-Www, in the tenant's time zone */
                            week: string;
                            /**
                             * Format: date
                             * @description Sunday, local date (inclusive)
                             */
                            weekEnd: string;
                            /**
                             * Format: date
                             * @description Monday, local date
                             */
                            weekStart: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/reports/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Counted and uncounted mail per calendar month, the current month first
         * @description Months are calendar months in the tenant's time zone; mail counts in the month it was sent. usedThisPeriod in GET /v1/credits can be a little higher than this month's counted: it also holds mail charged but not yet accepted by the relay (retrying).
         */
        get: {
            parameters: {
                query?: {
                    months?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description The monthly allowance (as set now) */
                            allowance: number;
                            /** @description Counted mail sent in the month */
                            counted: number;
                            /** @description YYYY-MM in the tenant's time zone */
                            month: string;
                            /** @description The tenant needed more credit than it had this month */
                            overLimit: boolean;
                            /** @description Free mail sent in the month */
                            uncounted: number;
                        }[];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandbox/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Messages captured by the sandbox relay, newest first */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor from the previous page */
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                id: string;
                                mailFrom: string;
                                messageId: string | null;
                                rcptTo: string[];
                                /** Format: date-time */
                                receivedAt: string;
                                size: number;
                                subject: string | null;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandbox/messages/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One captured message with its raw MIME */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            mailFrom: string;
                            messageId: string | null;
                            /** @description The whole MIME message */
                            raw: string;
                            rcptTo: string[];
                            /** Format: date-time */
                            receivedAt: string;
                            size: number;
                            subject: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sandbox/messages/{id}/raw": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One captured message as message/rfc822 */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The current session */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            activeTenantId: string | null;
                            csrfToken: string;
                            /** Format: date-time */
                            expiresAt: string;
                            memberships: {
                                /** @enum {string} */
                                role: "administrator" | "staff";
                                tenantId: string;
                                tenantName: string;
                                timezone: string;
                            }[];
                            operator: boolean;
                            person: {
                                email: string;
                                id: string;
                                name: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        /** Sign in with email and password */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email: string;
                        password: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            activeTenantId: string | null;
                            csrfToken: string;
                            /** Format: date-time */
                            expiresAt: string;
                            memberships: {
                                /** @enum {string} */
                                role: "administrator" | "staff";
                                tenantId: string;
                                tenantName: string;
                                timezone: string;
                            }[];
                            operator: boolean;
                            person: {
                                email: string;
                                id: string;
                                name: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        /** Sign out */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/session/tenant": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Switch the school the session acts for */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        tenantId: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            activeTenantId: string | null;
                            csrfToken: string;
                            /** Format: date-time */
                            expiresAt: string;
                            memberships: {
                                /** @enum {string} */
                                role: "administrator" | "staff";
                                tenantId: string;
                                tenantName: string;
                                timezone: string;
                            }[];
                            operator: boolean;
                            person: {
                                email: string;
                                id: string;
                                name: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Sign out everywhere: every session of the person ends */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/settings/digest-offer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether the recipient's preference page offers a digest, and its default time and day */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description HH:MM in the tenant's time zone, for digests chosen on that page (default 08:00) */
                            defaultTime: string;
                            /** @description 1 = Monday … 7 = Sunday, for weekly digests chosen on that page (default 5, Friday) */
                            defaultWeekday: number;
                            /** @description The preference page (the unsubscribe link) offers a daily or weekly digest instead (default true) */
                            offer: boolean;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        /**
         * Change the preference page's digest offer (administrator keys only)
         * @description Digest times already chosen for contacts stay as they are.
         */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description HH:MM in the tenant's time zone, for digests chosen on that page (default 08:00) */
                        defaultTime: string;
                        /** @description 1 = Monday … 7 = Sunday, for weekly digests chosen on that page (default 5, Friday) */
                        defaultWeekday: number;
                        /** @description The preference page (the unsubscribe link) offers a daily or weekly digest instead (default true) */
                        offer: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description HH:MM in the tenant's time zone, for digests chosen on that page (default 08:00) */
                            defaultTime: string;
                            /** @description 1 = Monday … 7 = Sunday, for weekly digests chosen on that page (default 5, Friday) */
                            defaultWeekday: number;
                            /** @description The preference page (the unsubscribe link) offers a daily or weekly digest instead (default true) */
                            offer: boolean;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/settings/sender": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's generic address and From name */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            fromName: string | null;
                            genericAddress: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        /** Set the tenant's generic address and From name (administrator keys only) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        fromName: string | null;
                        genericAddress: string | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            fromName: string | null;
                            genericAddress: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/settings/tracking": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's tracking settings */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Add a signed open pixel to HTML mail and record opens (default true) */
                            trackOpens: boolean;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        /** Change the tenant's tracking settings (administrator keys only) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description Add a signed open pixel to HTML mail and record opens (default true) */
                        trackOpens: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Add a signed open pixel to HTML mail and record opens (default true) */
                            trackOpens: boolean;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sign-in-links": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mail a sign-in link */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/sign-in-links/redeem": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign in with the token of a sign-in link (spends it) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        token: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            activeTenantId: string | null;
                            csrfToken: string;
                            /** Format: date-time */
                            expiresAt: string;
                            memberships: {
                                /** @enum {string} */
                                role: "administrator" | "staff";
                                tenantId: string;
                                tenantName: string;
                                timezone: string;
                            }[];
                            operator: boolean;
                            person: {
                                email: string;
                                id: string;
                                name: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/subject-groups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's subject groups (year, class, …) with how many subjects each has */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor from the previous page */
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                name: string;
                                subjectCount: number;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/subjects": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's subjects (students), oldest first, optionally in one group */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor from the previous page */
                    cursor?: string;
                    /** @description Exact group name */
                    group?: string;
                    limit?: number;
                    /** @description Part of the name or external id, any case */
                    search?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** Format: date-time */
                                createdAt: string;
                                externalId: string;
                                groups: string[];
                                name: string;
                                /** Format: date-time */
                                updatedAt: string;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/subjects/{externalId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One subject by external id, with the contacts linked to it */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    externalId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            createdAt: string;
                            externalId: string;
                            groups: string[];
                            links: {
                                contactExternalId: string;
                                contactName: string;
                                receivesMail: boolean;
                                relationship: string | null;
                            }[];
                            name: string;
                            /** Format: date-time */
                            updatedAt: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /**
         * Delete a subject (a student who left, a GDPR request)
         * @description The subject, their groups and links to contacts are deleted (the contacts stay); mail still waiting leaves out the parts about them. A tombstone keeps a later sync from recreating them: that row gets the error `deleted` unless it says `"restore": true`. Administrators and system keys only.
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    externalId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {boolean} */
                            deleted: true;
                            externalId: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/suppressions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Suppressed addresses (hard bounces, complaints), in address order; `search` matches part of an address */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor from the previous page */
                    cursor?: string;
                    limit?: number;
                    search?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** Format: date-time */
                                createdAt: string;
                                detail: string | null;
                                email: string;
                                /** @description `hard_bounce` or `spam` */
                                reason: string;
                                recipientId: string | null;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/suppressions/{email}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Reset a suppressed address so mail goes to it again (administrator keys only); audited
         * @description The body `{ "note": "why" }` is required: the reason is kept in the reset log with the key that made the reset.
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    email: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        note: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            at: string;
                            email: string;
                            id: string;
                            note: string;
                            /** @description Why the address had been suppressed */
                            reason: string;
                            /** @description The id of the API key that reset it */
                            resetBy: string;
                            /** Format: date-time */
                            suppressedAt: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/suppressions/resets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The audit log of suppression resets, newest first */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor from the previous page */
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** Format: date-time */
                                at: string;
                                email: string;
                                id: string;
                                note: string;
                                /** @description Why the address had been suppressed */
                                reason: string;
                                /** @description The id of the API key that reset it */
                                resetBy: string;
                                /** Format: date-time */
                                suppressedAt: string;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenant": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The school */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            name: string;
                            pendingTimezone: string | null;
                            timezone: string;
                            timezoneEffectiveFrom: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change the time zone (administrators); it takes effect from the next credit period */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        timezone: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            name: string;
                            pendingTimezone: string | null;
                            timezone: string;
                            timezoneEffectiveFrom: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's users, oldest first (administrator keys only) */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor from the previous page */
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                /** Format: date-time */
                                createdAt: string;
                                email: string | null;
                                id: string;
                                name: string;
                                /** @enum {string} */
                                role: "system" | "staff" | "administrator";
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        /** Add a user (administrator keys only) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email?: string | null;
                        name: string;
                        /** @enum {string} */
                        role: "system" | "staff" | "administrator";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** Format: date-time */
                            createdAt: string;
                            email: string | null;
                            id: string;
                            name: string;
                            /** @enum {string} */
                            role: "system" | "staff" | "administrator";
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a user (administrator keys only); they also leave the low-credit recipients */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tenant's webhook endpoints, oldest first (secrets are never shown again) */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor from the previous page */
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                active: boolean;
                                /** Format: date-time */
                                createdAt: string;
                                description: string | null;
                                events: string[];
                                id: string;
                                /** Format: date-time */
                                updatedAt: string;
                                url: string;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        /** Register an HTTPS endpoint for status events; the answer carries the signing secret, once */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        description?: string | null;
                        /** @description `["*"]` for every event, or `message.<status>` types such as `message.hard_bounce` */
                        events?: ("*" | "message.queued" | "message.sent" | "message.opened" | "message.soft_bounce" | "message.rejected" | "message.hard_bounce" | "message.spam" | "message.email_missing" | "message.opted_out" | "message.pending_digest" | "message.held_no_credit" | "message.cancelled")[];
                        url: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            active: boolean;
                            /** Format: date-time */
                            createdAt: string;
                            description: string | null;
                            events: string[];
                            id: string;
                            /** @description The signing secret (`whsec_…`): shown only in this answer */
                            secret: string;
                            /** Format: date-time */
                            updatedAt: string;
                            url: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One webhook endpoint */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            active: boolean;
                            /** Format: date-time */
                            createdAt: string;
                            description: string | null;
                            events: string[];
                            id: string;
                            /** Format: date-time */
                            updatedAt: string;
                            url: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Remove an endpoint with its delivery log; pending deliveries are dropped */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Change an endpoint's URL, events, description, or pause it (`active: false`) */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        active?: boolean;
                        description?: string | null;
                        /** @description `["*"]` for every event, or `message.<status>` types such as `message.hard_bounce` */
                        events?: ("*" | "message.queued" | "message.sent" | "message.opened" | "message.soft_bounce" | "message.rejected" | "message.hard_bounce" | "message.spam" | "message.email_missing" | "message.opted_out" | "message.pending_digest" | "message.held_no_credit" | "message.cancelled")[];
                        url?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            active: boolean;
                            /** Format: date-time */
                            createdAt: string;
                            description: string | null;
                            events: string[];
                            id: string;
                            /** Format: date-time */
                            updatedAt: string;
                            url: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        trace?: never;
    };
    "/v1/webhooks/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An endpoint's delivery log, newest first */
        get: {
            parameters: {
                query?: {
                    /** @description nextCursor from the previous page */
                    cursor?: string;
                    limit?: number;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            items: {
                                attempts: number;
                                /** Format: date-time */
                                createdAt: string;
                                deliveredAt: string | null;
                                eventType: string;
                                /** @description Also the `webhook-id` header of every attempt */
                                id: string;
                                lastError: string | null;
                                lastStatus: number | null;
                                nextAttemptAt: string | null;
                                /** @description `pending`, `delivered` or `failed` (gave up) */
                                state: string;
                            }[];
                            nextCursor: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            error: {
                                code: string;
                                details?: {
                                    message: string;
                                    path?: string;
                                }[];
                                message: string;
                            };
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: never;
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;

// Imported first by run-bench.ts: settings that must be in place before any AWS SDK module loads.
// The SDK warns once per client that its 2027 releases will need Node 22; the benchmark runs on the repository's Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

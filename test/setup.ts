import { tmpdir } from 'node:os';

// Dummy credentials and a fixed region, so that no test can reach AWS by accident.
process.env.AWS_ACCESS_KEY_ID = 'testing';
process.env.AWS_SECRET_ACCESS_KEY = 'testing';
process.env.AWS_SESSION_TOKEN = 'testing';
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
delete process.env.AWS_PROFILE;
delete process.env.PRODUCTS_API_URL;
// The state is looked for upwards from the working directory; no test's temporary directory may find another's.
process.env.PRODUCTS_CLI_CEILING_DIRECTORIES = tmpdir();

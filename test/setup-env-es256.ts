// The e2e-es256 jest project: the same specs with access tokens signed by an ES256 key pair that the
// app creates in its database (encryption key generated under the spec's GATEHOUSE_DATA_DIR).
process.env.ALGORITHM = 'ES256';

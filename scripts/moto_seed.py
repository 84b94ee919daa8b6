#!/usr/bin/env python3
"""Seeds a local moto server with what the example stacks expect to exist already:
an ACM certificate (printed as CERTIFICATE_ARN=...), the Secrets Manager secrets the
fintech examples reference (visitor-book needs none: its database credentials are the
secret RDS manages), and the Lambda function `LogsToOpenSearch` that visitor-book's
subscription filter streams its logs to (seed 002 does not build it either). Usage:
moto_seed.py ENDPOINT_URL [REGION]"""
import sys

import boto3

endpoint = sys.argv[1]
region = sys.argv[2] if len(sys.argv) > 2 else "us-east-1"
kwargs = dict(endpoint_url=endpoint, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing")

# An issued certificate, as a listener needs: a self-signed one, imported (a requested one
# stays PENDING_VALIDATION, which AWS refuses on a listener).
import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "visitor-book.example.com")])
now = datetime.datetime.now(datetime.timezone.utc)
certificate = (
    x509.CertificateBuilder()
    .subject_name(name)
    .issuer_name(name)
    .public_key(key.public_key())
    .serial_number(x509.random_serial_number())
    .not_valid_before(now - datetime.timedelta(days=1))
    .not_valid_after(now + datetime.timedelta(days=365))
    .add_extension(x509.SubjectAlternativeName([x509.DNSName("visitor-book.example.com")]), critical=False)
    .sign(key, hashes.SHA256())
)
acm = boto3.client("acm", **kwargs)
cert = acm.import_certificate(
    Certificate=certificate.public_bytes(serialization.Encoding.PEM),
    PrivateKey=key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ),
)["CertificateArn"]

secrets = boto3.client("secretsmanager", **kwargs)
names = [
    f"fake-fintech/{n}"
    for n in ["openai-api-key", "anthropic-api-key", "database-url", "jwt-secret", "oauth-client-secret", "payment-api-key"]
]
for name in names:
    try:
        secrets.create_secret(Name=name, SecretString=f"placeholder value of {name}")
    except secrets.exceptions.ResourceExistsException:
        pass

# The function seed 002's subscription filter delivers to, with the role it runs as.
import io
import json
import zipfile

iam = boto3.client("iam", **kwargs)
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
try:
    role = iam.create_role(RoleName="logs-to-opensearch-lambda", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
except iam.exceptions.EntityAlreadyExistsException:
    role = iam.get_role(RoleName="logs-to-opensearch-lambda")["Role"]["Arn"]
code = io.BytesIO()
with zipfile.ZipFile(code, "w") as z:
    z.writestr("index.py", "def handler(event, context):\n    return None\n")
lambda_ = boto3.client("lambda", **kwargs)
try:
    lambda_.create_function(
        FunctionName="LogsToOpenSearch", Runtime="python3.12", Role=role, Handler="index.handler", Code={"ZipFile": code.getvalue()}
    )
except lambda_.exceptions.ResourceConflictException:
    pass

print(f"CERTIFICATE_ARN={cert}")

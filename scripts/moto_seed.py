#!/usr/bin/env python3
"""Seeds a local moto server with what the example stacks expect to exist already:
an ACM certificate (printed as CERTIFICATE_ARN=...) and the Secrets Manager secrets the
fintech examples reference (visitor-book needs none: its database credentials are the
secret RDS manages). Usage: moto_seed.py ENDPOINT_URL [REGION]"""
import sys

import boto3

endpoint = sys.argv[1]
region = sys.argv[2] if len(sys.argv) > 2 else "us-east-1"
kwargs = dict(endpoint_url=endpoint, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing")

acm = boto3.client("acm", **kwargs)
cert = acm.request_certificate(DomainName="visitor-book.example.com", ValidationMethod="DNS")["CertificateArn"]

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

print(f"CERTIFICATE_ARN={cert}")

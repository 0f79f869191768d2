"""Independent S3 peers for the flat-file tests (run with .venv-peers/bin/python).

  s3_peer.py moto-setup ENDPOINT FILE KEY
      Against a fresh moto_server: creates an IAM user with an access key and an s3:* policy (3 actions),
      then, signed with that key, creates bucket 'flatfiles' and uploads FILE under KEY and 6 sibling
      keys (8 actions, for pagination). Start moto with INITIAL_NO_AUTH_ACTION_COUNT >= 3 so the IAM
      calls need no key; signatures are checked once that many actions have been served.
      Prints "ACCESS_KEY SECRET_KEY".
  s3_peer.py boto3-fetch ENDPOINT ACCESS SECRET BUCKET PREFIX DEST
      boto3 (botocore SigV4, path-style): lists PREFIX two keys a page and downloads the first key to
      DEST. Prints JSON {"keys": [...], "sizes": [...], "pages": N}.
"""
import json, sys

import boto3
from botocore.config import Config

PATH_STYLE = Config(s3={"addressing_style": "path"}, signature_version="s3v4", retries={"max_attempts": 1})


def client(service, endpoint, access, secret):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=access,
                        aws_secret_access_key=secret, config=PATH_STYLE)


def moto_setup(endpoint, path, key):
    iam = client("iam", endpoint, "AKIDBOOTSTRAP", "bootstrap")
    iam.create_user(UserName="backfill")
    created = iam.create_access_key(UserName="backfill")["AccessKey"]
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    iam.put_user_policy(UserName="backfill", PolicyName="s3", PolicyDocument=json.dumps(policy))
    access, secret = created["AccessKeyId"], created["SecretAccessKey"]
    s3 = client("s3", endpoint, access, secret)
    s3.create_bucket(Bucket="flatfiles")
    s3.upload_file(path, "flatfiles", key)
    folder = key.rsplit("/", 1)[0]
    for day in range(1, 7):
        s3.put_object(Bucket="flatfiles", Key=f"{folder}/sibling-{day}.csv.gz", Body=b"x" * day)
    print(access, secret)


def boto3_fetch(endpoint, access, secret, bucket, prefix, dest):
    s3 = client("s3", endpoint, access, secret)
    keys, sizes, pages = [], [], 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix,
                                                             PaginationConfig={"PageSize": 2}):
        pages += 1
        for item in page.get("Contents", []):
            keys.append(item["Key"])
            sizes.append(item["Size"])
    s3.download_file(bucket, keys[0], dest)
    print(json.dumps({"keys": keys, "sizes": sizes, "pages": pages}))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"moto-setup": moto_setup, "boto3-fetch": boto3_fetch}[command](*args)

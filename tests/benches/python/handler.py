"""The Python reference of the cold-start benchmark: what many teams would write for create-user
instead. It does the same DynamoDB work as Roster's create-user minus the invitation mail (which
only flatters it): the caller's item read, then one transaction putting the user and claiming its
email and username. Run by AWS's Python runtime interface client (awslambdaric), as a Python
Lambda function runs; the client is made at init, as AWS recommends."""

import json
import os
import uuid

import boto3

TABLE = os.environ["ROSTER_TABLE"]
dynamodb = boto3.client("dynamodb")


def handler(event, context):
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    account = claims["account_id"]
    pk = {"S": f"ACCOUNT#{account}"}
    caller = dynamodb.get_item(
        TableName=TABLE,
        Key={"pk": pk, "sk": {"S": f"USER#{claims['sub']}"}},
        ConsistentRead=True,
    )
    if "Item" not in caller:
        return {"statusCode": 403, "body": json.dumps({"title": "Forbidden"})}
    body = json.loads(event["body"])
    email = body["email"].lower()
    user_id = uuid.uuid4().hex
    item = {
        "pk": pk,
        "sk": {"S": f"USER#{user_id}"},
        "email": {"S": body["email"]},
        "first_name": {"S": body["first_name"]},
        "last_name": {"S": body["last_name"]},
        "roles": {"L": [{"S": "basic"}]},
        "version": {"N": "1"},
    }
    new = "attribute_not_exists(pk)"
    claim = {"S": user_id}
    dynamodb.transact_write_items(TransactItems=[
        {"Put": {"TableName": TABLE, "Item": item, "ConditionExpression": new}},
        {"Put": {"TableName": TABLE, "ConditionExpression": new, "Item": {
            "pk": pk, "sk": {"S": f"EMAIL#{email}"}, "user_id": claim, "version": {"N": "1"}}}},
        {"Put": {"TableName": TABLE, "ConditionExpression": new, "Item": {
            "pk": pk, "sk": {"S": f"USERNAME#{email}"}, "user_id": claim, "version": {"N": "1"}}}},
    ])
    return {"statusCode": 201, "body": json.dumps({"id": user_id, "email": body["email"]})}

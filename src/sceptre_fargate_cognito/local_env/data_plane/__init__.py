"""The local data plane: the ALB's listeners, the Cognito hosted UI and the ALB's public keys, on loopback."""

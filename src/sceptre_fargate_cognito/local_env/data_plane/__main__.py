import sys

from sceptre_fargate_cognito.local_env.data_plane.server import main

sys.exit(main())

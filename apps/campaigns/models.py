# Models for this domain arrive with its issue; see README "Roadmap".

print("fake-messages-api")
